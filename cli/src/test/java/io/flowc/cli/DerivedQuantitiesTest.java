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
 * expression of that draw's parameters (as users see them).
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
}
