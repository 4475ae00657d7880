package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounds computed from other parameters and data through the commands (docs/language.md, "Bounded
 * parameters"): {@code check} lists them, {@code sample --out} writes values inside them,
 * {@code compare} draws its picture without the density under the draws, {@code simulate} truncates
 * priors to the bounds' values at each draw, and the commands that need constant bounds
 * ({@code plot}'s density) refuse them in one line; {@code fit-many} bounds each set by its own data.
 */
class ComputedBoundsCommandsTest {
  private static final String MODEL = """
      model triangle {
        param a in (0, 1);
        param b in (0, 1 - a);
        a ~ beta(2, 2);
        b ~ normal(0.3, 1);
      }
      """;

  @TempDir
  Path tmp;
  private String model;

  @BeforeEach
  void write() throws IOException {
    model = Files.writeString(tmp.resolve("triangle.flow"), MODEL).toString();
  }

  @Test
  void checkListsTheComputedBoundAndSampleStaysInsideIt() throws IOException {
    Cli.Result check = Cli.run("check", model);
    assertEquals(0, check.code(), check.toString());
    assertTrue(check.out().contains("parameters: a (in (0, 1)), b (in (0, computed)) (dimension 2)"), check.out());
    Path csv = tmp.resolve("draws.csv");
    Cli.Result r = Cli.run("sample", model, "--draws", "100", "--tune", "100", "--chains", "2", "--out", csv.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> rows = Files.readAllLines(csv);
    assertEquals("chain,draw,a,b", rows.get(0));
    for (String row : rows.subList(1, rows.size())) {
      String[] f = row.split(",");
      double a = Double.parseDouble(f[2]);
      double b = Double.parseDouble(f[3]);
      assertTrue(a > 0 && b > 0 && a + b < 1, row);
    }
  }

  @Test
  void compareDrawsTheDrawsWithoutTheDensityUnderThem() {
    Path png = tmp.resolve("compare.png");
    Cli.Result r = Cli.run("compare", model, "--flow", "scale-loc", "--iters", "200", "--draws", "100", "--tune", "100",
        "--chains", "2", "--seed", "3", "--resolution", "40", "--width", "600", "--height", "300", "-o", png.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(Files.exists(png));
  }

  @Test
  void simulateDrawsInsideTheBoundsAndPlotsDensityRefuses() throws IOException {
    Cli.Result plot = Cli.run("plot", model, "-o", tmp.resolve("p.png").toString());
    assertEquals(2, plot.code(), plot.toString());
    assertEquals(List.of("error: triangle: a picture of the density needs constant bounds; this model's are computed"
        + " from other parameters or data (sample it and plot the draws: flowc sample --plot)"), plot.errLines());

    Cli.Result simulate = Cli.run("simulate", model, "--draws", "20", "--seed", "4");
    assertEquals(0, simulate.code(), simulate.toString());
    for (String line : simulate.outLines()) {
      com.fasterxml.jackson.databind.JsonNode parameters = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(line).path("parameters");
      double a = parameters.path("a").doubleValue();
      double b = parameters.path("b").doubleValue();
      assertTrue(a > 0 && b > 0 && a + b < 1, line);
    }

  }

  /** fit-many constrains each set's draws with the bounds that set's data give. */
  @Test
  void fitManyBoundsEachSetsDrawsByItsOwnData() throws IOException {
    String perSet = Files.writeString(tmp.resolve("many.flow"), """
        model many {
          data real lo;
          param a in (0, 1);
          param b in (lo, lo + 1 - a);
          a ~ beta(2, 2);
          b ~ normal(lo, 1);
        }
        """).toString();
    Path sets = Files.writeString(tmp.resolve("sets.jsonl"),
        "{\"id\": \"low\", \"data\": {\"lo\": -5}}\n{\"id\": \"high\", \"data\": {\"lo\": 7}}\n");
    for (String method : List.of("nuts", "nfvi")) {
      Path out = tmp.resolve(method + ".csv");
      List<String> args = new java.util.ArrayList<>(List.of("fit-many", perSet, "--data-lines", sets.toString(),
          "--method", method, "--draws", "200", "--out", out.toString()));
      if (method.equals("nfvi")) {
        args.addAll(List.of("--flow", "scale-loc"));
      }
      Cli.Result r = Cli.run(args.toArray(String[]::new));
      assertEquals(0, r.code(), r.toString());
      for (String line : Files.readAllLines(out).subList(1, 5)) {
        String[] f = line.split(",");
        if (f[1].equals("b")) {
          double lo = f[0].equals("low") ? -5 : 7;
          double q5 = Double.parseDouble(f[4]);
          double q95 = Double.parseDouble(f[6]);
          assertTrue(q5 > lo && q95 < lo + 1, method + ": " + line);
        }
      }
    }
  }
}
