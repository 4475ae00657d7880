package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A square root guarded by a conditional, {@code x > 100 ? sqrt(x - 100) : 0}: where the branch
 * is not taken (x = 1) the model is the standard normal, and its gradient and its sampler must not
 * see the square root of a negative number.
 */
class GuardedConditionalTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private String model;

  @BeforeEach
  void writeModel() throws IOException {
    model = Files.writeString(tmp.resolve("guard.flow"),
        "model guard {\n  param x;\n  potential 0.5*x^2 + (x > 100 ? sqrt(x - 100) : 0);\n}\n").toString();
  }

  @Test
  void gradientAtOneIsTheNormalsWithCompiledCodeAndWithTheInterpreter() {
    for (String[] args : new String[][] {{"check", model, "--at", "1"}, {"check", model, "--at", "1", "--interpret"}}) {
      Cli.Result r = Cli.run(args);
      assertEquals(0, r.code(), r.toString());
      assertEquals("potential: 0.5", r.outLines().get(3), r.toString());
      assertEquals("gradient: [-1.0]", r.lastOutLine(), r.toString());
    }
  }

  @Test
  void gradientOnTheTakenSideIncludesTheSquareRoot() {
    Cli.Result r = Cli.run("check", model, "--at", "104");
    assertEquals(0, r.code(), r.toString());
    assertEquals("gradient: [-104.25]", r.lastOutLine(), r.toString());
  }

  @Test
  void samplingDoesNotDiverge() throws IOException {
    Cli.Result r = Cli.run("sample", model, "--draws", "100", "--tune", "100", "--chains", "2", "--threads", "1",
        "--seed", "5", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode j = JSON.readTree(r.lastOutLine());
    assertEquals(0, j.get("divergences").asInt(), r.toString());
    JsonNode x = j.get("params").get("x");
    assertTrue(x.get("r_hat").asDouble() < 1.1, r.toString());
    assertEquals(0, x.get("mean").asDouble(), 0.5, r.toString());
    assertEquals(1, x.get("sd").asDouble(), 0.3, r.toString());
  }
}
