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
 * Derived quantities through the commands: summarized by {@code sample} and written by
 * {@code sample --out} and {@code fit --out} after the parameters, each draw's value the model's
 * expression of that draw's parameters (as users see them), from source and from an artifact
 * (computed by the artifact's own code); bounds computed from other parameters and data, from an
 * artifact refitted on other data.
 */
class DerivedQuantitiesTest {
  private static final String MODEL = """
      model quantities {
        param a;
        param s > 0;
        derived shifted = [a + s, a - s];
        derived ratio = a / s;
        a ~ normal(1, 1);
        s ~ exponential(1);
      }
      """;

  @TempDir
  Path tmp;
  private String model;

  @BeforeEach
  void write() throws IOException {
    model = Files.writeString(tmp.resolve("derived.flow"), MODEL).toString();
  }

  @Test
  void sampleSummarizesAndWritesDerivedQuantitiesAfterTheParameters() throws IOException {
    Path csv = tmp.resolve("draws.csv");
    Cli.Result r = Cli.run("sample", model, "--draws", "100", "--tune", "100", "--chains", "2", "--out", csv.toString());
    assertEquals(0, r.code(), r.toString());
    for (String row : List.of("a ", "s ", "shifted[0] ", "shifted[1] ", "ratio ")) {
      assertTrue(r.err().lines().anyMatch(l -> l.startsWith(row)), row + " missing from the summary: " + r.err());
    }
    List<String> rows = Files.readAllLines(csv);
    assertEquals("chain,draw,a,s,shifted[0],shifted[1],ratio", rows.get(0));
    assertEquals(1 + 2 * 100, rows.size());
    for (String row : rows.subList(1, rows.size())) {
      checkRow(row.split(","), 2);
    }
  }

  @Test
  void fitWritesDerivedQuantitiesAfterTheParameters() throws IOException {
    Path csv = tmp.resolve("fit.csv");
    Cli.Result r = Cli.run("fit", model, "--flow", "scale-loc", "--iters", "200", "--eval-draws", "100", "--draws", "50",
        "--out", csv.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> rows = Files.readAllLines(csv);
    assertEquals("a,s,shifted[0],shifted[1],ratio", rows.get(0));
    assertEquals(51, rows.size());
    for (String row : rows.subList(1, rows.size())) {
      checkRow(row.split(","), 0);
    }
  }

  /** The derived columns are the model's expressions of the parameter columns, to rounding. */
  private static void checkRow(String[] fields, int from) {
    double a = Double.parseDouble(fields[from]);
    double s = Double.parseDouble(fields[from + 1]);
    assertTrue(s > 0, "s = " + s);
    assertEquals(a + s, Double.parseDouble(fields[from + 2]), 1e-12 * Math.max(1, Math.abs(a + s)));
    assertEquals(a - s, Double.parseDouble(fields[from + 3]), 1e-12 * Math.max(1, Math.abs(a - s)));
    assertEquals(a / s, Double.parseDouble(fields[from + 4]), 1e-12 * Math.max(1, Math.abs(a / s)));
  }

  @Test
  void anArtifactReportsTheSameDerivedQuantitiesAsItsSource() throws IOException {
    Path jar = tmp.resolve("derived.jar");
    Cli.Result compiled = Cli.run("compile", model, "-o", jar.toString(), "--flow", "scale-loc");
    assertEquals(0, compiled.code(), compiled.toString());
    Path fromSource = tmp.resolve("source.csv");
    Path fromArtifact = tmp.resolve("artifact.csv");
    for (String[] run : List.of(new String[] {model, fromSource.toString()}, new String[] {jar.toString(), fromArtifact.toString()})) {
      Cli.Result r = Cli.run("sample", run[0], "--draws", "50", "--tune", "50", "--chains", "2", "--seed", "3",
          "--out", run[1]);
      assertEquals(0, r.code(), r.toString());
    }
    List<String> rows = Files.readAllLines(fromArtifact);
    assertEquals("chain,draw,a,s,shifted[0],shifted[1],ratio", rows.get(0));
    assertEquals(Files.readAllLines(fromSource), rows, "the artifact's code computes what the source's IR does");
    Path fit = tmp.resolve("fit.csv");
    Cli.Result r = Cli.run("fit", jar.toString(), "--flow", "scale-loc", "--iters", "200", "--eval-draws", "100",
        "--draws", "50", "--out", fit.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> fitRows = Files.readAllLines(fit);
    assertEquals("a,s,shifted[0],shifted[1],ratio", fitRows.get(0));
    for (String row : fitRows.subList(1, fitRows.size())) {
      checkRow(row.split(","), 0);
    }
  }

  @Test
  void anArtifactConstrainsBoundsComputedFromOtherParametersAndTheDataItIsGiven() throws IOException {
    Path source = Files.writeString(tmp.resolve("bounds.flow"), """
        model bounds {
          data int N;
          data real lo[N];
          param a in (0, 1);
          param b in (0, 1 - a);
          param tau[N] > lo;
          tau ~ normal(0, 1);
          derived total = a + b;
        }
        """);
    Files.writeString(tmp.resolve("compiled.json"), "{\"N\": 2, \"lo\": [-1, 0.5]}");
    Files.writeString(tmp.resolve("other.json"), "{\"N\": 2, \"lo\": [3, -2]}");
    Path jar = tmp.resolve("bounds.jar");
    Cli.Result compiled = Cli.run("compile", source.toString(), "--data", tmp.resolve("compiled.json").toString(),
        "-o", jar.toString(), "--flow", "scale-loc");
    assertEquals(0, compiled.code(), compiled.toString());
    Path fit = tmp.resolve("fit.csv");
    Cli.Result r = Cli.run("fit", jar.toString(), "--data", tmp.resolve("other.json").toString(), "--flow", "scale-loc",
        "--iters", "200", "--eval-draws", "100", "--draws", "50", "--out", fit.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> rows = Files.readAllLines(fit);
    assertEquals("a,b,tau[0],tau[1],total", rows.get(0));
    for (String row : rows.subList(1, rows.size())) {
      double[] x = java.util.Arrays.stream(row.split(",")).mapToDouble(Double::parseDouble).toArray();
      assertTrue(x[0] > 0 && x[1] > 0 && x[0] + x[1] < 1, row);
      assertTrue(x[2] > 3 && x[3] > -2, "bounds from the data given, not the data compiled with: " + row);
      assertEquals(x[0] + x[1], x[4], 1e-15);
    }
    Path draws = tmp.resolve("draws.csv");
    r = Cli.run("sample", jar.toString(), "--data", tmp.resolve("other.json").toString(), "--draws", "50", "--tune",
        "50", "--chains", "2", "--out", draws.toString());
    assertEquals(0, r.code(), r.toString());
    for (String row : Files.readAllLines(draws).subList(1, 101)) {
      String[] f = row.split(",");
      assertTrue(Double.parseDouble(f[4]) > 3 && Double.parseDouble(f[5]) > -2, row);
    }
  }
}
