package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --format stan-csv} against CmdStan's own files (written by hand from CmdStan's guide,
 * src/test/resources/stan-csv): the same comment-header keys in the same nesting, the same
 * method columns, adaptation and timing blocks of the same shape, numbers Stan's readers parse,
 * and parameter values equal to those of flowc's own CSV.
 */
class StanCsvFormatTest {
  @TempDir
  Path tmp;

  /** The keys of the configuration that rstan's read_stan_csv and cmdstanpy read. */
  private static final List<String> SAMPLE_KEYS = List.of("model", "method", "method/sample/num_samples",
      "method/sample/num_warmup", "method/sample/save_warmup", "method/sample/thin",
      "method/sample/adapt/engaged", "method/sample/adapt/delta", "method/sample/algorithm",
      "method/sample/algorithm/hmc/engine", "method/sample/algorithm/hmc/engine/nuts/max_depth",
      "method/sample/algorithm/hmc/metric", "method/sample/algorithm/hmc/stepsize", "id", "data/file", "init",
      "random/seed", "output/file");

  private static final List<String> VARIATIONAL_KEYS = List.of("model", "method", "method/variational/algorithm",
      "method/variational/iter", "method/variational/grad_samples", "method/variational/elbo_samples",
      "method/variational/output_samples", "data/file", "random/seed", "output/file");

  /** A Stan CSV file cut into its parts. */
  record StanFile(Map<String, String> config, List<String> columns, List<String> adaptation, List<String[]> rows,
      List<String> trailing) {
    static StanFile read(List<String> lines) {
      int header = 0;
      while (lines.get(header).startsWith("#")) {
        header++;
      }
      int first = header + 1;
      while (first < lines.size() && lines.get(first).startsWith("#")) {
        first++;
      }
      int end = first;
      while (end < lines.size() && !lines.get(end).startsWith("#")) {
        end++;
      }
      List<String[]> rows = new ArrayList<>();
      for (String row : lines.subList(first, end)) {
        rows.add(row.split(",", -1));
      }
      return new StanFile(config(lines.subList(0, header)), List.of(lines.get(header).split(",", -1)),
          lines.subList(header + 1, first), rows, lines.subList(end, lines.size()));
    }

    /** {@code # key = value} lines by their path in CmdStan's argument tree (indent 2 per level). */
    private static Map<String, String> config(List<String> comments) {
      Map<String, String> keys = new LinkedHashMap<>();
      List<String> path = new ArrayList<>();
      for (String line : comments) {
        String body = line.substring(1);
        int indent = body.length() - body.stripLeading().length() - 1;
        assertEquals(0, indent % 2, "indent of '" + line + "'");
        int level = indent / 2;
        assertTrue(level <= path.size(), "'" + line + "' is indented deeper than its parent");
        String text = body.strip();
        int eq = text.indexOf(" = ");
        String key = eq < 0 ? text : text.substring(0, eq);
        path.subList(level, path.size()).clear();
        path.add(key);
        if (eq >= 0) {
          keys.put(String.join("/", path), text.substring(eq + 3).replace("(Default)", "").strip());
        }
      }
      return keys;
    }

    int column(String name) {
      int k = columns.indexOf(name);
      assertTrue(k >= 0, "no column " + name + " in " + columns);
      return k;
    }
  }

  private static StanFile reference(String name) throws IOException {
    try (InputStream in = StanCsvFormatTest.class.getResourceAsStream("/stan-csv/" + name)) {
      return StanFile.read(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
    }
  }

  /** A comment line's shape: its numbers, and lists of them, replaced by N. */
  private static String shape(String line) {
    return line.replaceAll("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?", "N").replaceAll("N(, N)+", "N");
  }

  /** A value as Stan's readers parse it (R's as.numeric, Python's float). */
  private static double parse(String cell) {
    return switch (cell) {
      case "inf", "+inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(cell);
    };
  }

  private static String data(String name) {
    return Cli.root().resolve("examples").resolve(name + ".json").toString();
  }

  @Test
  void samplingFilesHaveCmdStansLayout() throws IOException {
    StanFile ref = reference("cmdstan-sample.csv");
    for (String key : SAMPLE_KEYS) {
      assertTrue(ref.config().containsKey(key), "the reference has no " + key);
    }
    Path out = tmp.resolve("es.csv");
    Path own = tmp.resolve("own.csv");
    String[] run = {"sample", Cli.example("eight_schools_noncentered"), "--data", data("eight_schools_noncentered"),
        "--draws", "60", "--tune", "150", "--chains", "2", "--seed", "5", "--target-accept", "0.85"};
    Cli.Result r = Cli.run(concat(run, "--format", "stan-csv", "--out", out.toString()));
    assertEquals(0, r.code(), r.toString());
    assertEquals(0, Cli.run(concat(run, "--out", own.toString())).code());
    assertFalse(Files.exists(out), "two chains write one file each, not " + out);
    List<String> ownRows = Files.readAllLines(own);
    List<String> ownColumns = List.of(ownRows.get(0).split(","));

    for (int c = 0; c < 2; c++) {
      Path file = tmp.resolve("es_" + (c + 1) + ".csv");
      StanFile f = StanFile.read(Files.readAllLines(file));

      // every key flowc writes is one CmdStan writes, at the same place; the ones readers use are there
      for (String key : f.config().keySet()) {
        assertTrue(ref.config().containsKey(key), key + " is not in CmdStan's header");
      }
      for (String key : SAMPLE_KEYS) {
        assertTrue(f.config().containsKey(key), "no " + key + " in " + f.config());
      }
      assertEquals("sample", f.config().get("method"));
      assertEquals("60", f.config().get("method/sample/num_samples"));
      assertEquals("150", f.config().get("method/sample/num_warmup"));
      assertEquals("0", f.config().get("method/sample/save_warmup"));
      assertEquals("1", f.config().get("method/sample/thin"));
      assertEquals(0.85, Double.parseDouble(f.config().get("method/sample/adapt/delta")));
      assertEquals("10", f.config().get("method/sample/algorithm/hmc/engine/nuts/max_depth"));
      assertEquals("diag_e", f.config().get("method/sample/algorithm/hmc/metric"));
      assertEquals(String.valueOf(c + 1), f.config().get("id"));
      assertEquals("5", f.config().get("random/seed"));
      assertEquals(file.toString(), f.config().get("output/file"));

      // CmdStan's sampler columns, then the parameters in Stan's 1-based dotted names
      assertEquals(ref.columns().subList(0, 7), f.columns().subList(0, 7));
      List<String> expected = new ArrayList<>();
      for (String name : ownColumns.subList(2, ownColumns.size())) {
        expected.add(name.contains("[")
            ? name.substring(0, name.indexOf('[')) + "." + (Integer.parseInt(name.replaceAll(".*\\[(\\d+)]", "$1")) + 1)
            : name);
      }
      assertEquals(expected, f.columns().subList(7, f.columns().size()));
      assertTrue(f.columns().contains("theta_trans.8") && f.columns().contains("tau"), f.columns().toString());

      // the adaptation block has the reference's lines, with one inverse-mass element per parameter
      assertEquals(ref.adaptation().stream().map(StanCsvFormatTest::shape).toList(),
          f.adaptation().stream().map(StanCsvFormatTest::shape).toList());
      double stepSize = parse(f.adaptation().get(1).replace("# Step size = ", ""));
      assertEquals(10, f.adaptation().get(3).substring(2).split(", ").length);

      assertEquals(60, f.rows().size());
      int lp = f.column("lp__");
      for (String[] row : f.rows()) {
        assertEquals(f.columns().size(), row.length);
        for (String cell : row) {
          assertFalse(Double.isNaN(parse(cell)), cell);
        }
        for (String integer : List.of("treedepth__", "n_leapfrog__", "divergent__")) {
          assertTrue(row[f.column(integer)].matches("[0-9]+"), integer + " = " + row[f.column(integer)]);
        }
        assertTrue(Set.of("0", "1").contains(row[f.column("divergent__")]));
        assertEquals(stepSize, parse(row[f.column("stepsize__")]));
        double accept = parse(row[f.column("accept_stat__")]);
        assertTrue(accept >= 0 && accept <= 1, "accept_stat__ " + accept);
        // the energy is -lp plus a kinetic energy >= 0
        assertTrue(parse(row[f.column("energy__")]) >= -parse(row[lp]));
        assertTrue(parse(row[f.column("tau")]) > 0, "tau on its constrained scale");
      }
      // the same draws as flowc's own CSV, to the last digit
      for (int i = 0; i < 60; i++) {
        String[] mine = ownRows.get(1 + c * 60 + i).split(",");
        assertEquals(c + "," + i, mine[0] + "," + mine[1]);
        assertEquals(Arrays.asList(mine).subList(2, mine.length),
            Arrays.asList(f.rows().get(i)).subList(7, f.columns().size()));
      }

      assertEquals(ref.trailing().stream().map(StanCsvFormatTest::shape).toList(),
          f.trailing().stream().map(StanCsvFormatTest::shape).toList());
    }
  }

  @Test
  void fitFilesHaveCmdStansVariationalLayout() throws IOException {
    StanFile ref = reference("cmdstan-variational.csv");
    Path out = tmp.resolve("vi.csv");
    Path own = tmp.resolve("own.csv");
    String[] run = {"fit", Cli.example("eight_schools_noncentered"), "--data", data("eight_schools_noncentered"),
        "--flow", "planar*2", "--iters", "300", "--draws", "40", "--eval-draws", "200", "--seed", "4"};
    Cli.Result r = Cli.run(concat(run, "--format", "stan-csv", "--out", out.toString()));
    assertEquals(0, r.code(), r.toString());
    assertEquals(0, Cli.run(concat(run, "--out", own.toString())).code());
    StanFile f = StanFile.read(Files.readAllLines(out));

    Set<String> flowKeys = new HashSet<>();
    for (String key : f.config().keySet()) {
      // CmdStan's meanfield and fullrank take no arguments; a flow's formula and optimizer are flowc's
      if (key.startsWith("method/variational/algorithm/")) {
        flowKeys.add(key);
      } else {
        assertTrue(ref.config().containsKey(key), key + " is not in CmdStan's header");
      }
    }
    assertEquals(Set.of("method/variational/algorithm/normalizing_flow/flow",
        "method/variational/algorithm/normalizing_flow/optimizer",
        "method/variational/algorithm/normalizing_flow/learning_rate"), flowKeys);
    for (String key : VARIATIONAL_KEYS) {
      assertTrue(ref.config().containsKey(key), "the reference has no " + key);
      assertTrue(f.config().containsKey(key), "no " + key);
    }
    assertEquals("variational", f.config().get("method"));
    assertEquals("40", f.config().get("method/variational/output_samples"));
    assertEquals("planar*2", f.config().get("method/variational/algorithm/normalizing_flow/flow"));

    assertEquals(ref.columns().subList(0, 3), f.columns().subList(0, 3));
    assertEquals(1 + 40, f.rows().size());
    List<String> ownRows = Files.readAllLines(own);
    int n = f.columns().size() - 3;
    double[] mean = new double[n];
    for (int i = 0; i < 40; i++) {
      String[] row = f.rows().get(1 + i);
      assertEquals("0", row[0]);
      assertTrue(Double.isFinite(parse(row[1])) && Double.isFinite(parse(row[2])), String.join(",", row));
      assertEquals(Arrays.asList(ownRows.get(1 + i).split(",")), Arrays.asList(row).subList(3, row.length));
      for (int k = 0; k < n; k++) {
        mean[k] += parse(row[3 + k]) / 40;
      }
    }
    // the first row, as CmdStan's: zeros, then the approximation's mean (here the draws')
    String[] first = f.rows().get(0);
    assertEquals(List.of("0", "0", "0"), Arrays.asList(first).subList(0, 3));
    assertEquals(Arrays.asList(ref.rows().get(0)).subList(0, 3), Arrays.asList(first).subList(0, 3));
    for (int k = 0; k < n; k++) {
      assertEquals(mean[k], parse(first[3 + k]), 1e-12);
    }
  }

  /**
   * With restarts, the header's seed is the seed of the restart whose draws the file holds (the
   * JSON's restarts[best_restart].seed), and a single fit with that seed gives the same draws.
   */
  @Test
  void theSeedIsTheOneOfTheRestartWhoseDrawsAreWritten() throws IOException {
    Path out = tmp.resolve("best.csv");
    // with seed 3 the third restart is the best, so its seed is a derived one, not --seed
    String[] fit = {"fit", Cli.example("pot1"), "--flow", "planar*2", "--iters", "300", "--eval-draws", "200",
        "--draws", "20", "--format", "stan-csv", "--json"};
    Cli.Result r = Cli.run(concat(fit, "--restarts", "3", "--seed", "3", "--out", out.toString()));
    assertEquals(0, r.code(), r.toString());
    JsonNode json = new ObjectMapper().readTree(r.lastOutLine());
    int best = json.get("best_restart").asInt();
    assertEquals(2, best, "the case needs a best restart other than the first");
    String seed = json.get("restarts").get(best).get("seed").asText();
    StanFile f = StanFile.read(Files.readAllLines(out));
    assertEquals(seed, f.config().get("random/seed"));

    Path again = tmp.resolve("again.csv");
    r = Cli.run(concat(fit, "--seed=" + seed, "--out", again.toString()));
    assertEquals(0, r.code(), r.toString());
    StanFile g = StanFile.read(Files.readAllLines(again));
    assertEquals(seed, g.config().get("random/seed"));
    assertEquals(f.rows().size(), g.rows().size());
    for (int i = 0; i < f.rows().size(); i++) {
      assertEquals(Arrays.asList(f.rows().get(i)), Arrays.asList(g.rows().get(i)));
    }
  }

  @Test
  void severalChainsWriteNumberedFilesAsCmdStanNamesThem() {
    assertEquals("out.csv", StanCsv.chainFile("out.csv", 0, 1));
    assertEquals("out_1.csv", StanCsv.chainFile("out.csv", 0, 4));
    assertEquals("dir.v2/out_4.csv", StanCsv.chainFile("dir.v2/out.csv", 3, 4));
    assertEquals("dir.v2/draws_2", StanCsv.chainFile("dir.v2/draws", 1, 2));
    assertEquals(".hidden_2", StanCsv.chainFile(".hidden", 1, 2));
  }

  @Test
  void infinitiesAreWrittenAsStanWritesThem() {
    assertEquals("inf", StanCsv.number(Double.POSITIVE_INFINITY));
    assertEquals("-inf", StanCsv.number(Double.NEGATIVE_INFINITY));
    assertEquals("NaN", StanCsv.number(Double.NaN));
    assertEquals("0.1", StanCsv.number(0.1));
  }

  @Test
  void anUnknownFormatOrOneWithoutOutIsAUserError() {
    Cli.Result r = Cli.run("sample", Cli.example("pot1"), "--format", "parquet", "--out", tmp.resolve("d").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--format must be flowc or stan-csv, not 'parquet'"), r.err());
    r = Cli.run("fit", Cli.example("pot1"), "--flow", "planar", "--format", "stan-csv");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--format stan-csv applies to the draws --out FILE writes"), r.err());
    Cli.assertNoStackTrace(r);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
