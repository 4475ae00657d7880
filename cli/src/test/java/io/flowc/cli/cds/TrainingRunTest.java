package io.flowc.cli.cds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command of the start-up archive's training run still runs: a failing one would leave the
 * build without an archive (the build log says so, but the build goes on).
 */
class TrainingRunTest {
  @TempDir
  static Path work;

  private static Path examples() {
    return Path.of(System.getProperty("flowc.root.dir")).resolve("examples");
  }

  /** The commands as text (their names in the report), outputs under WORK. */
  static Stream<String> commands() {
    return TrainingRun.commands(examples(), Path.of("WORK")).stream().map(c -> String.join(" ", c));
  }

  /** The artifact that a training command fits: its compile command runs first. */
  @BeforeAll
  static void compileTheArtifact() {
    String[] compile = TrainingRun.commands(examples(), work).stream().filter(c -> c[0].equals("compile")).findFirst()
        .orElseThrow();
    assertEquals(0, run(compile));
  }

  @ParameterizedTest
  @MethodSource("commands")
  void trainingCommandSucceeds(String command) {
    List<String[]> all = TrainingRun.commands(examples(), work);
    String[] args = all.get(commands().toList().indexOf(command));
    assertEquals(0, run(args), String.join(" ", args));
  }

  private static int run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    if (code != 0) {
      System.err.print(err.toString(StandardCharsets.UTF_8));
    }
    return code;
  }
}
