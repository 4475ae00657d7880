package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.simulate.Simulation;
import io.flowc.compiler.simulate.Simulator;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.many.ManyFits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** flowc simulate: the JSON Lines it writes, its seeds, its refusals, and a simulated data set fitted and sampled. */
class SimulateCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private static String model() {
    return Cli.example("eight_schools_noncentered");
  }

  private static String data() {
    return model().replace(".flow", ".json");
  }

  private static List<JsonNode> lines(String out) throws IOException {
    List<JsonNode> nodes = new java.util.ArrayList<>();
    for (String line : out.lines().toList()) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  private static void assertUserError(Cli.Result r, String fragment) {
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains(fragment), r.toString());
    assertTrue(!r.err().contains("\tat "), "no stack trace: " + r);
  }

  @Test
  void writesOneLinePerDrawWithEveryDataValue() throws IOException {
    Cli.Result r = Cli.run("simulate", model(), "--data", data(), "--draws", "3", "--seed", "5");
    assertEquals(0, r.code(), r.toString());
    List<JsonNode> lines = lines(r.out());
    assertEquals(3, lines.size());
    for (int k = 0; k < 3; k++) {
      JsonNode line = lines.get(k);
      assertEquals(String.valueOf(k), line.get("id").textValue());
      assertEquals(List.of("theta_trans", "mu", "tau"), fieldNames(line.get("parameters")));
      assertEquals(List.of("J", "y", "sigma"), fieldNames(line.get("data")));
      assertTrue(line.get("data").get("J").isIntegralNumber(), "a data int is written without a decimal point");
      assertEquals(8, line.get("data").get("y").size());
      assertEquals(15.0, line.get("data").get("sigma").get(0).doubleValue());
      assertTrue(line.get("parameters").get("tau").doubleValue() > 0);
    }
    assertTrue(r.out().contains("\"J\":8,"), r.out());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void drawKUsesTheSeedOfSimK() throws Exception {
    Cli.Result r = Cli.run("simulate", model(), "--data", data(), "--draws", "2", "--seed", "9");
    DataSet base = StanJson.read(Path.of(data()));
    Simulator simulator = Simulator.of(Simulator.check(new SourceFile("m", Files.readString(Path.of(model()))), base));
    Simulation second = simulator.simulate(base, new SplittableRandom(ManyFits.seedOf(9, "sim:1")));
    JsonNode line = lines(r.out()).get(1);
    assertEquals(second.parameters().get("mu").elements()[0], line.get("parameters").get("mu").doubleValue());
    assertEquals(second.data().get("y").elements()[7], line.get("data").get("y").get(7).doubleValue());
    // a draw does not depend on how many are asked for; another seed gives other draws
    Cli.Result more = Cli.run("simulate", model(), "--data", data(), "--draws", "3", "--seed", "9");
    assertEquals(r.outLines(), more.outLines().subList(0, 2));
    Cli.Result other = Cli.run("simulate", model(), "--data", data(), "--draws", "2", "--seed", "10");
    assertNotEquals(r.outLines().get(0), other.outLines().get(0));
  }

  @Test
  void outWritesTheFileAndNothingOnStdout() throws IOException {
    Path out = tmp.resolve("sims.jsonl");
    Cli.Result r = Cli.run("simulate", model(), "--data", data(), "--draws", "4", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.out());
    assertEquals(4, Files.readAllLines(out).size());
    assertEquals(Cli.run("simulate", model(), "--data", data(), "--draws", "4").outLines(), Files.readAllLines(out));
  }

  @Test
  void integerDataAreIntegers() throws IOException {
    Path model = tmp.resolve("counts.flow");
    Files.writeString(model, "model counts {\n  data int N;\n  data int k[N];\n  param a;\n  a ~ normal(1, 0.5);\n"
        + "  k ~ poisson_log(a);\n}\n");
    Path json = tmp.resolve("n.json");
    Files.writeString(json, "{\"N\": 5}");
    Cli.Result r = Cli.run("simulate", model.toString(), "--data", json.toString(), "--draws", "20");
    assertEquals(0, r.code(), r.toString());
    for (JsonNode line : lines(r.out())) {
      for (JsonNode k : line.get("data").get("k")) {
        assertTrue(k.isIntegralNumber() && k.longValue() >= 0, line.toString());
      }
    }
  }

  @Test
  void refusalsNameTheStatement() throws IOException {
    Path model = tmp.resolve("pot.flow");
    Files.writeString(model, "model pot {\n  param x;\n  x ~ normal(0, 1);\n  potential x^2;\n}\n");
    assertUserError(Cli.run("simulate", model.toString(), "--draws", "2"),
        model + ":4:3: a 'potential' statement cannot be simulated");
    Path late = tmp.resolve("late.flow");
    Files.writeString(late, "model late {\n  data real y;\n  param mu;\n  param x;\n  mu ~ normal(0, 1);\n"
        + "  x ~ normal(y, 1);\n  y ~ normal(mu, 1);\n}\n");
    assertUserError(Cli.run("simulate", late.toString(), "--draws", "2"),
        late + ":6:14: data 'y' is read before it is drawn (by the '~' statement at 7:3)");
  }

  @Test
  void aDrawADistributionCannotTakeIsOneLine() throws IOException {
    Path model = tmp.resolve("scale.flow");
    Files.writeString(model, "model scale {\n  data real y;\n  param s;\n  s ~ normal(-50, 1);\n  y ~ normal(0, s);\n}\n");
    Cli.Result r = Cli.run("simulate", model.toString(), "--draws", "1");
    assertUserError(r, "error: " + model + ":5:7: normal(0, -");
    assertEquals(1, r.errLines().size(), r.toString());
  }

  @Test
  void badOptionsAreUserErrors() {
    assertUserError(Cli.run("simulate", model(), "--data", data(), "--draws", "0"), "--draws must be >= 1");
    assertUserError(Cli.run("simulate", "m.jar", "--draws", "1"), "simulate needs the model's source");
    assertUserError(Cli.run("simulate", model(), "--draws", "1"), "declares data ('J')");
    assertUserError(Cli.run("simulate", model(), "--data", data()), "Missing required option: '--draws=N'");
    assertUserError(Cli.run("simulate", model(), "--data", data(), "--draws", "1", "--out",
        tmp.resolve("no/dir/s.jsonl").toString()), "no such directory");
  }

  @Test
  void aSimulatedDataSetIsFittedAndSampled() throws IOException {
    String model = Cli.example("hierarchical");
    Cli.Result r = Cli.run("simulate", model, "--data", model.replace(".flow", ".json"), "--draws", "1", "--seed", "3");
    assertEquals(0, r.code(), r.toString());
    Path simulated = tmp.resolve("sim.json");
    Files.writeString(simulated, JSON.writeValueAsString(lines(r.out()).get(0).get("data")));
    Cli.Result fit = Cli.run("fit", model, "--data", simulated.toString(), "--flow", "scale-loc", "--iters", "200",
        "--eval-draws", "100", "--json");
    assertEquals(0, fit.code(), fit.toString());
    Cli.Result sample = Cli.run("sample", model, "--data", simulated.toString(), "--chains", "1", "--draws", "100",
        "--tune", "100", "--json");
    assertEquals(0, sample.code(), sample.toString());
  }

  @Test
  void simulationsAreFittedByFitManyAsTheyAre() throws IOException {
    Path sims = tmp.resolve("sims.jsonl");
    assertEquals(0, Cli.run("simulate", model(), "--data", data(), "--draws", "3", "--out", sims.toString()).code());
    Path results = tmp.resolve("results.jsonl");
    Cli.Result r = Cli.run("fit-many", model(), "--data-lines", sims.toString(), "--method", "nfvi", "--flow",
        "scale-loc", "--iters", "200", "--eval-draws", "100", "--draws", "100", "--threads", "1", "--out",
        results.toString());
    assertEquals(0, r.code(), r.toString());
    List<JsonNode> rows = lines(Files.readString(results));
    assertEquals(3, rows.size());
    for (int k = 0; k < 3; k++) {
      assertEquals(String.valueOf(k), rows.get(k).get("id").asText());
      assertEquals("ok", rows.get(k).get("status").asText(), rows.get(k).toString());
    }
  }
}
