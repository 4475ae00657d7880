package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs flowc command lines in-process and captures what they print. */
final class Cli {
  private Cli() {}

  /** The exit code and the text printed on stdout and stderr. */
  record Result(int code, String out, String err) {
    List<String> outLines() {
      return out.lines().toList();
    }

    List<String> errLines() {
      return err.lines().toList();
    }

    String lastOutLine() {
      List<String> lines = outLines();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** {@code flowc ARGS} through {@link Main#run}, as {@code main} runs it, without FLOWC_DEBUG. */
  static Result run(String... args) {
    return run(Map.of(), args);
  }

  static Result run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(o, e, env, args);
    }
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs a given command tree on the calling thread (for tests that add commands). */
  static Result execute(CommandLine cmd, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.execute(cmd, o, e, env, args);
    }
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The repository root, from the {@code flowc.root.dir} property that surefire sets. */
  static Path root() {
    String dir = System.getProperty("flowc.root.dir");
    assertNotNull(dir, "system property flowc.root.dir is not set (the parent pom's surefire configuration sets it)");
    Path root = Path.of(dir).toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("examples/pot1.flow"))) {
      // Maven run from inside cli/ takes cli/ as the multi-module directory: look upwards.
      for (Path p = root; p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve("examples/pot1.flow"))) {
          return p;
        }
      }
    }
    assertTrue(Files.isRegularFile(root.resolve("examples/pot1.flow")), "no examples/pot1.flow under " + root);
    return root;
  }

  /** The absolute path of an example model, e.g. {@code example("pot1")}. */
  static String example(String name) {
    return root().resolve("examples").resolve(name + ".flow").toString();
  }

  /** Asserts that stderr holds no trace of a Java exception. */
  static void assertNoStackTrace(Result r) {
    assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception") && !r.err().contains("java."),
        "stderr shows Java internals:\n" + r);
  }
}
