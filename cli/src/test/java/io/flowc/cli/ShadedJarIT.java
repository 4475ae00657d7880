package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CLI's shaded jar, whose class files the build rewrites (old ones raised, flowc's records
 * given methods of their own: io.flowc.cli.cds.ClassFileUpgrade, RecordMethods), against the same
 * commands run in process from the classes as javac wrote them: the same exit codes and the same
 * JSON but for its times. Runs after {@code package}.
 */
class ShadedJarIT {
  private static Path jar;

  @BeforeAll
  static void theBuiltJar() {
    String built = System.getProperty("flowc.cli.jar");
    assumeTrue(built != null, "runs in the integration-test phase");
    jar = Path.of(built);
  }

  @Test
  void flowcsRecordsInTheJarHaveNoObjectMethodsCallSites() throws Exception {
    try (JarFile file = new JarFile(jar.toFile());
        InputStream in = file.getInputStream(file.getEntry("io/flowc/compiler/kernel/Kernel$Element.class"))) {
      String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertFalse(text.contains("java/lang/runtime/ObjectMethods"), "rewritten by the build");
      assertTrue(text.contains("flowc$hashCode"), "rewritten by the build");
    }
  }

  @Test
  void commandsGiveTheSameResultsFromTheJarAsFromTheClasses() throws Exception {
    String pot1 = Cli.example("pot1");
    List<String[]> commands = List.of(
        new String[] {"check", pot1, "--at", "2.0,0.3", "--json"},
        new String[] {"fit", pot1, "--flow", "planar*8", "--optimizer", "adam", "--lr", "0.01", "--nmc", "20", "--iters",
            "300", "--eval-draws", "2000", "--threads", "1", "--json"},
        new String[] {"fit", Cli.example("normal100"), "--flow", "scale-hh*20-loc", "--iters", "200", "--eval-draws",
            "500", "--threads", "1", "--json"},
        new String[] {"fit", pot1, "--flow", "nsf(hidden=4)*4", "--iters", "50", "--eval-draws", "200", "--threads", "1",
            "--json"},
        new String[] {"sample", Cli.example("eight_schools_noncentered"), "--data",
            Cli.root().resolve("examples/eight_schools_noncentered.json").toString(), "--draws", "100", "--tune", "100",
            "--chains", "2", "--threads", "1", "--json"});
    for (String[] command : commands) {
      Cli.Result inProcess = Cli.run(command);
      Cli.Result shaded = runJar(command);
      String what = String.join(" ", command);
      assertEquals(inProcess.code(), shaded.code(), what + "\n" + shaded);
      assertEquals(withoutTimes(inProcess.lastOutLine()), withoutTimes(shaded.lastOutLine()), what);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The JSON line with every key ending in "seconds" removed, at any depth. */
  private static JsonNode withoutTimes(String line) throws Exception {
    JsonNode node = JSON.readTree(line);
    strip(node);
    return node;
  }

  private static void strip(JsonNode node) {
    if (node instanceof ObjectNode o) {
      List<String> times = new ArrayList<>();
      for (Iterator<String> names = o.fieldNames(); names.hasNext();) {
        String name = names.next();
        if (name.endsWith("seconds")) {
          times.add(name);
        }
      }
      o.remove(times);
    }
    node.forEach(ShadedJarIT::strip);
  }

  private static Cli.Result runJar(String... args) throws Exception {
    Path out = Files.createTempFile("flowc-jar", ".out");
    Path err = Files.createTempFile("flowc-jar", ".err");
    try {
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:+UseSerialGC", "-Xss16m", "-Djava.awt.headless=true", "-jar", jar.toString()));
      command.addAll(List.of(args));
      Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + command);
      return new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
