package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowc.runtime.many.ManyFits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flowc fit-many} on the examples' regression: outputs, thread-count independence, bad sets, errors. */
class FitManyCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private static String sets() {
    return Cli.root().resolve("examples/regression-sets.jsonl").toString();
  }

  private static String rows() {
    return Cli.root().resolve("examples/regression-rows.csv").toString();
  }

  private static final String[] NFVI = {"--method", "nfvi", "--flow", "scale-hh*3-loc", "--optimizer", "adam", "--lr",
      "0.02", "--iters", "400", "--draws", "100", "--eval-draws", "200", "--seed", "5"};

  private static String[] args(String model, String[] input, String[] method, String... more) {
    List<String> all = new ArrayList<>(List.of("fit-many", model));
    all.addAll(List.of(input));
    all.addAll(List.of(method));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  /** The file's lines with the seconds column (the one thing that depends on the run) blanked. */
  private static List<String> withoutTimes(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      out.add(line.startsWith("{") ? line.replaceAll("\"seconds\":[^,]*,", "")
          : line.replaceAll(",[^,]*,(-?\\d+)$", ",,$1"));
    }
    return out;
  }

  @Test
  void jsonLinesToCsvAreTheSameForOneAndTwoThreadsAndABadSetIsARow() throws IOException {
    Path one = tmp.resolve("one.csv");
    Path two = tmp.resolve("two.csv");
    String[] input = {"--data-lines", sets()};
    Cli.Result r1 = Cli.run(args(Cli.example("regression"), input, NFVI, "--threads", "1", "--out", one.toString(),
        "--json"));
    Cli.Result r2 = Cli.run(args(Cli.example("regression"), input, NFVI, "--threads", "2", "--out", two.toString()));
    assertEquals(0, r1.code(), r1.toString());
    assertEquals(0, r2.code(), r2.toString());
    List<String> lines = withoutTimes(one);
    assertEquals(lines, withoutTimes(two));
    assertEquals(ResultsFile.CSV_HEADER, lines.get(0));
    assertEquals(1 + 3 * 3 + 1, lines.size(), lines.toString());
    assertTrue(lines.get(1).startsWith("store-1,alpha,"), lines.get(1));
    assertTrue(lines.get(3).startsWith("store-1,sigma,"), lines.get(3));
    assertTrue(lines.get(1).endsWith("," + ManyFits.seedOf(5, "store-1")), lines.get(1));
    String bad = lines.get(10);
    assertTrue(bad.startsWith("store-4,,,,,,,bad_data,'x' is an array of 2 in " + sets() + ":4; the model declares "
        + "real x[N] (real x[3]),"), bad);
    JsonNode summary = JSON.readTree(r1.lastOutLine());
    assertEquals(4, summary.get("sets").asInt());
    assertEquals(3, summary.get("ok").asInt());
    assertEquals(1, summary.get("failed").get("bad_data").asInt());
    assertTrue(summary.get("sets_per_second").asDouble() > 0, summary.toString());
    assertTrue(r1.err().contains("fit-many: 4 sets in "), r1.toString());
    assertTrue(r1.err().contains("3 ok, 1 failed (1 bad_data)"), r1.toString());
  }

  @Test
  void longFormatRowsGroupedByAColumnWithNutsToJsonLines() throws IOException {
    Path one = tmp.resolve("one.jsonl");
    Path two = tmp.resolve("two.jsonl");
    String[] input = {"--data-csv", rows(), "--group", "store"};
    String[] nuts = {"--method", "nuts", "--chains", "1", "--tune", "150", "--draws", "150", "--seed", "3"};
    Cli.Result r1 = Cli.run(args(Cli.example("regression"), input, nuts, "--threads", "1", "--out", one.toString()));
    Cli.Result r2 = Cli.run(args(Cli.example("regression"), input, nuts, "--threads", "2", "--out", two.toString()));
    assertEquals(0, r1.code(), r1.toString());
    assertEquals(0, r2.code(), r2.toString());
    List<String> lines = withoutTimes(one);
    assertEquals(lines, withoutTimes(two));
    // groups in the order of their first row; rows of a group are not contiguous in the file
    List<String> ids = new ArrayList<>();
    for (String line : lines) {
      ids.add(JSON.readTree(line).get("id").asText());
    }
    assertEquals(List.of("store-3", "store-2", "store-1", "store-4"), ids);
    JsonNode first = JSON.readTree(lines.get(2));
    assertEquals("ok", first.get("status").asText());
    assertEquals(List.of("alpha", "beta", "sigma"), names(first));
    assertEquals(2.0, first.get("parameters").get(1).get("mean").asDouble(), 0.3);
    assertTrue(first.has("r_hat") && first.has("divergences") && !first.has("final_loss"), first.toString());
    JsonNode bad = JSON.readTree(lines.get(3));
    assertEquals("bad_data", bad.get("status").asText());
    assertEquals(rows() + ":37:3: 'y' is 'oops', not a number", bad.get("message").asText());
  }

  private static List<String> names(JsonNode set) {
    List<String> names = new ArrayList<>();
    set.get("parameters").forEach(p -> names.add(p.get("name").asText()));
    return names;
  }

  /** A set's row is what `fit` and `sample` report for its data alone with the set's seed. */
  @Test
  void aSetsResultIsTheFitOfItsDataAloneWithItsSeed() throws IOException {
    Path data = tmp.resolve("store-1.json");
    String line = Files.readAllLines(Path.of(sets())).get(0);
    Files.writeString(data, JSON.readTree(line).get("data").toString());
    long seed = ManyFits.seedOf(5, "store-1");
    Path results = tmp.resolve("r.jsonl");
    Cli.Result many = Cli.run(args(Cli.example("regression"), new String[] {"--data-lines", sets()}, NFVI,
        "--out", results.toString()));
    assertEquals(0, many.code(), many.toString());
    JsonNode set = JSON.readTree(Files.readAllLines(results).get(0));
    Cli.Result fit = Cli.run("fit", Cli.example("regression"), "--data", data.toString(), "--flow", "scale-hh*3-loc",
        "--optimizer", "adam", "--lr", "0.02", "--iters", "400", "--eval-draws", "200", "--seed", Long.toString(seed),
        "--json");
    assertEquals(0, fit.code(), fit.toString());
    assertEquals(JSON.readTree(fit.lastOutLine()).get("final_loss").asDouble(), set.get("final_loss").asDouble());

    Path nutsResults = tmp.resolve("n.csv");
    Cli.Result nuts = Cli.run(args(Cli.example("regression"), new String[] {"--data-lines", sets()},
        new String[] {"--method", "nuts", "--chains", "1", "--tune", "100", "--draws", "100"}, "--out",
        nutsResults.toString()));
    assertEquals(0, nuts.code(), nuts.toString());
    Cli.Result sample = Cli.run("sample", Cli.example("regression"), "--data", data.toString(), "--chains", "1",
        "--tune", "100", "--draws", "100", "--seed", Long.toString(ManyFits.seedOf(0, "store-1")), "--json");
    assertEquals(0, sample.code(), sample.toString());
    JsonNode sampled = JSON.readTree(sample.lastOutLine()).get("params").get("beta");
    String[] beta = Files.readAllLines(nutsResults).get(2).split(",");
    assertEquals("beta", beta[1]);
    assertEquals(sampled.get("mean").asDouble(), Double.parseDouble(beta[2]));
    assertEquals(sampled.get("q95").asDouble(), Double.parseDouble(beta[6]));
  }

  @Test
  void anArtifactGivesTheResultsOfItsSource() throws IOException {
    Path jar = tmp.resolve("regression.jar");
    Path data = tmp.resolve("first.json");
    Files.writeString(data, JSON.readTree(Files.readAllLines(Path.of(sets())).get(0)).get("data").toString());
    Cli.Result compiled = Cli.run("compile", Cli.example("regression"), "--data", data.toString(), "--flow",
        "scale-hh*3-loc", "-o", jar.toString());
    assertEquals(0, compiled.code(), compiled.toString());
    Path fromJar = tmp.resolve("jar.csv");
    Path fromSource = tmp.resolve("source.csv");
    String[] input = {"--data-lines", sets()};
    assertEquals(0, Cli.run(args(jar.toString(), input, NFVI, "--out", fromJar.toString())).code());
    assertEquals(0, Cli.run(args(Cli.example("regression"), input, NFVI, "--out", fromSource.toString())).code());
    assertEquals(withoutTimes(fromSource), withoutTimes(fromJar));

    Cli.Result other = Cli.run(args(jar.toString(), input, new String[] {"--method", "nfvi", "--flow", "planar*2"},
        "--out", tmp.resolve("x.csv").toString()));
    assertEquals(2, other.code(), other.toString());
    assertEquals("error: " + jar + ": has no compiled flow 'planar*2' (it has: scale-hh*3-loc); compile it in with "
        + "flowc compile --flow", other.errLines().get(0));
  }

  @Test
  void linesThatHoldNoDataSetAreBadSetsAndTheRunGoesOn() throws IOException {
    Path input = tmp.resolve("sets.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(Path.of(sets())).subList(0, 2));
    lines.add("{\"id\": \"broken\", \"data\": {\"N\": 2,");
    lines.add("{\"data\": {\"N\": 1}}");
    lines.add(lines.get(0));
    lines.add("{\"id\": 17, \"data\": {\"N\": 1, \"x\": [1], \"y\": true}}");
    lines.add("");
    lines.add("{\"id\": \"last\", \"note\": [1, {\"a\": 2}], \"data\": {\"N\": 1, \"x\": [1], \"y\": [2]}}");
    Files.write(input, lines);
    Path out = tmp.resolve("r.jsonl");
    Cli.Result r = Cli.run(args(Cli.example("regression"), new String[] {"--data-lines", input.toString()}, NFVI,
        "--out", out.toString()));
    assertEquals(0, r.code(), r.toString());
    List<JsonNode> results = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      results.add(JSON.readTree(line));
    }
    assertEquals(7, results.size());
    assertEquals(List.of("ok", "ok", "bad_data", "bad_data", "bad_data", "bad_data", "ok"),
        results.stream().map(j -> j.get("status").asText()).toList());
    assertEquals("broken", results.get(2).get("id").asText());
    assertTrue(results.get(2).get("message").asText().startsWith(input + ":3:"), results.get(2).toString());
    assertEquals("line 4", results.get(3).get("id").asText());
    assertEquals(input + ":4: no \"id\"", results.get(3).get("message").asText());
    assertEquals(input + ":5: id 'store-1' appears again (first on line 1)", results.get(4).get("message").asText());
    assertEquals("17", results.get(5).get("id").asText());
    assertEquals("'y' in " + input + ":6:44 is true, not a number (the model declares real y[N])",
        results.get(5).get("message").asText());
    assertEquals("last", results.get(6).get("id").asText());
  }

  @Test
  void badUsageAndUnreadableInputsExitWithTwo() throws IOException {
    String model = Cli.example("regression");
    String out = tmp.resolve("r.csv").toString();
    Path noGroup = tmp.resolve("rows.csv");
    Files.writeString(noGroup, "id,x,y\na,1,2\n");
    String[][] cases = {
        {"fit-many", model, "--method", "nuts", "--out", out},
        {"fit-many", model, "--data-lines", sets(), "--data-csv", rows(), "--group", "store", "--method", "nuts", "--out", out},
        {"fit-many", model, "--data-csv", rows(), "--method", "nuts", "--out", out},
        {"fit-many", model, "--data-lines", sets(), "--method", "vi", "--out", out},
        {"fit-many", model, "--data-lines", sets(), "--method", "nfvi", "--out", out},
        {"fit-many", model, "--data-lines", sets(), "--method", "nuts", "--iters", "10", "--out", out},
        {"fit-many", model, "--data-lines", sets(), "--method", "nfvi", "--flow", "scale-loc", "--tune", "10", "--out", out},
        {"fit-many", model, "--data-lines", sets(), "--method", "nuts", "--out", tmp.resolve("r.txt").toString()},
        {"fit-many", model, "--data-lines", tmp.resolve("none.jsonl").toString(), "--method", "nuts", "--out", out},
        {"fit-many", model, "--data-csv", noGroup.toString(), "--group", "store", "--method", "nuts", "--out", out},
        {"fit-many", model, "--data-lines", sets(), "--method", "nuts", "--threads", "0", "--out", out},
    };
    String[] messages = {
        "error: give the data sets with --data-lines SETS.jsonl or --data-csv ROWS.csv --group COL (one of them)",
        "error: give the data sets with --data-lines SETS.jsonl or --data-csv ROWS.csv --group COL (one of them)",
        "error: --data-csv needs --group COL: the column whose value is the set's id",
        "error: --method must be nfvi or nuts, not 'vi'",
        "error: --method nfvi needs --flow FORMULA (e.g. scale-hh*3-loc)",
        "error: --iters applies to --method nfvi",
        "error: --tune applies to --method nuts",
        "error: --out " + tmp.resolve("r.txt") + ": name a .csv or a .jsonl file (the format follows the name)",
        "error: " + tmp.resolve("none.jsonl") + ": no such file",
        "error: " + noGroup + ":1: no column 'store' (--group); the columns are id, x, y",
        "error: --draws and --threads must be >= 1",
    };
    for (int i = 0; i < cases.length; i++) {
      Cli.Result r = Cli.run(cases[i]);
      assertEquals(2, r.code(), r.toString());
      assertEquals(messages[i], r.errLines().get(0), r.toString());
      Cli.assertNoStackTrace(r);
    }
  }
}
