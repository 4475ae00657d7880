package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bounded parameters through the commands: shown with their bounds, reported on their own scale. */
class BoundedModelsTest {
  private static final String MODEL = """
      model bounded {
        param sigma > 0;
        param p in (0, 1);
        param c < -1;
        sigma ~ exponential(1);
        p ~ beta(2, 5);
        logp += exponential_lpdf(-1 - c, 2);
      }
      """;

  @TempDir
  Path tmp;

  private Path model;

  @BeforeEach
  void write() throws IOException {
    model = tmp.resolve("bounded.flow");
    Files.writeString(model, MODEL);
  }

  @Test
  void checkShowsTheBounds() throws IOException {
    Cli.Result text = Cli.run("check", model.toString());
    assertEquals(0, text.code(), text.toString());
    assertTrue(text.out().contains("parameters: sigma (> 0), p (in (0, 1)), c (< -1) (dimension 3)"), text.out());
    Cli.Result json = Cli.run("check", model.toString(), "--json");
    JsonNode bounds = new ObjectMapper().readTree(json.lastOutLine()).get("bounds");
    assertEquals("> 0", bounds.get("sigma").asText());
    assertEquals("in (0, 1)", bounds.get("p").asText());
    assertEquals("< -1", bounds.get("c").asText());
  }

  @Test
  void fittedDrawsAreOnTheConstrainedScaleAndInsideTheBounds() throws IOException {
    Path out = tmp.resolve("draws.csv");
    Cli.Result r = Cli.run("fit", model.toString(), "--flow", "scale-hh*3-loc", "--iters", "4000", "--optimizer", "adam",
        "--lr", "0.01", "--nmc", "10", "--seed", "3", "--draws", "4000", "--eval-draws", "4000", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> lines = Files.readAllLines(out);
    assertEquals("sigma,p,c", lines.get(0));
    assertEquals(4001, lines.size());
    double[] sums = new double[3];
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      double sigma = Double.parseDouble(f[0]);
      double p = Double.parseDouble(f[1]);
      double c = Double.parseDouble(f[2]);
      assertTrue(sigma > 0 && p > 0 && p < 1 && c < -1, line);
      sums[0] += sigma;
      sums[1] += p;
      sums[2] += c;
    }
    // the targets' means: exponential(1) 1, beta(2, 5) 2/7, -1 - exponential(2) -1.5; a Gaussian
    // flow on the unconstrained scale is close to, not exactly, these (log-scale skew)
    assertEquals(1, sums[0] / 4000, 0.15);
    assertEquals(2.0 / 7, sums[1] / 4000, 0.03);
    assertEquals(-1.5, sums[2] / 4000, 0.08);
  }
}
