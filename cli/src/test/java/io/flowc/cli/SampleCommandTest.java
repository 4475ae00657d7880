package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private static JsonNode json(Cli.Result r) throws IOException {
    return JSON.readTree(r.lastOutLine());
  }

  @Test
  void jsonReportsEverythingTheContractNames() throws IOException {
    Cli.Result r = Cli.run("sample", Cli.example("pot1"), "--draws", "300", "--tune", "200", "--chains", "2",
        "--threads", "2", "--seed", "3", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode j = json(r);
    for (String key : List.of("chains", "draws", "tune", "divergences", "compile_seconds", "sample_seconds",
        "sample_cpu_seconds", "seed", "params", "gradient_evaluations", "step_size", "warnings")) {
      assertTrue(j.has(key), key + " missing from " + j);
    }
    assertEquals(2, j.get("chains").asInt());
    assertEquals(300, j.get("draws").asInt());
    assertEquals(200, j.get("tune").asInt());
    assertEquals(3, j.get("seed").asLong());
    assertEquals(2, j.get("params").size());
    for (String element : List.of("z[0]", "z[1]")) {
      JsonNode p = j.get("params").get(element);
      for (String key : List.of("mean", "sd", "q5", "q50", "q95", "ess_bulk", "ess_tail", "r_hat", "mcse_mean")) {
        assertTrue(p.has(key) && p.get(key).isNumber(), element + "." + key + " in " + p);
      }
      assertTrue(p.get("q5").asDouble() < p.get("q50").asDouble() && p.get("q50").asDouble() < p.get("q95").asDouble());
    }
    // pot1's z[1] has sd ~1.18 whichever lobes the chains visit
    assertEquals(1.18, j.get("params").get("z[1]").get("sd").asDouble(), 0.2);
    assertTrue(r.err().contains("Multiprocess sampling (2 chains in 2 jobs)\nNUTS: [z]\n"), r.toString());
    assertTrue(r.err().contains("Sampling 2 chains for 200 tune and 300 draw iterations (400 + 600 draws total) took "),
        r.toString());
    assertTrue(r.err().contains("Only 300 samples in chain."), r.toString());
    assertTrue(r.err().lines().anyMatch(l -> l.matches("z\\[1\\] +-?[0-9.]+ +[0-9.]+ .*")), r.toString());
  }

  @Test
  void pyMc3DefaultsApply() throws IOException {
    Cli.Result r = Cli.run("sample", Cli.example("normal100"), "--chains", "2", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode j = json(r);
    assertEquals(1000, j.get("draws").asInt());
    assertEquals(1000, j.get("tune").asInt());
    assertEquals(0.8, j.get("target_accept").asDouble());
    assertEquals(10, j.get("max_treedepth").asInt());
    assertEquals(0, j.get("seed").asLong());
    assertEquals(100, j.get("params").size());
    assertTrue(j.get("params").get("z[99]").get("r_hat").asDouble() < 1.01, j.toString());
    // the process's CPU clock ticks in 10 ms on Linux: a run this long (0.1 s or more) reads above zero,
    // where pot1's few hundred draws above (a few ms) may not
    assertTrue(j.get("sample_cpu_seconds").asDouble() > 0, "the chains' CPU time: " + j);
    assertTrue(r.err().contains("Sampling 2 chains for 1_000 tune and 1_000 draw iterations (2_000 + 2_000 draws total)"),
        r.toString());
  }

  @Test
  void drawsCsvHasChainAndDrawColumns() throws IOException {
    Path csv = tmp.resolve("draws.csv");
    Cli.Result r = Cli.run("sample", Cli.example("pot2"), "--draws", "150", "--tune", "100", "--chains", "3",
        "--out", csv.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> rows = Files.readAllLines(csv);
    assertEquals("chain,draw,z[0],z[1]", rows.get(0));
    assertEquals(1 + 3 * 150, rows.size());
    assertTrue(rows.get(1).startsWith("0,0,"), rows.get(1));
    assertTrue(rows.get(450).startsWith("2,149,"), rows.get(450));
    assertEquals(4, rows.get(450).split(",").length);
  }

  /** The same seed gives the same draws whether the chains run on one thread or several. */
  @Test
  void drawsDoNotDependOnThreads() throws IOException {
    Path one = tmp.resolve("one.csv");
    Path three = tmp.resolve("three.csv");
    List<String> args = List.of("sample", Cli.example("pot4"), "--draws", "200", "--tune", "200", "--chains", "3",
        "--seed", "9", "--json", "--out");
    JsonNode a = json(Cli.run(concat(args, one.toString(), "--threads", "1")));
    JsonNode b = json(Cli.run(concat(args, three.toString(), "--threads", "3")));
    assertEquals(a.get("params"), b.get("params"));
    assertEquals(Files.readAllLines(one), Files.readAllLines(three));
    JsonNode c = json(Cli.run(concat(args, one.toString(), "--threads", "1", "--seed", "10")));
    assertTrue(!a.get("params").equals(c.get("params")), "another seed, other draws");
  }

  @Test
  void samplingAnArtifactGivesTheSameDraws() throws IOException {
    Path jar = tmp.resolve("pot3.jar");
    assertEquals(0, Cli.run("compile", Cli.example("pot3"), "-o", jar.toString()).code());
    List<String> common = List.of("--draws", "100", "--tune", "100", "--chains", "2", "--json");
    JsonNode fromJar = json(Cli.run(concat(List.of("sample", jar.toString()), common.toArray(String[]::new))));
    JsonNode fromSource = json(Cli.run(concat(List.of("sample", Cli.example("pot3")), common.toArray(String[]::new))));
    assertEquals(fromSource.get("params"), fromJar.get("params"));
  }

  @Test
  void givenStartsKeepPot1sChainsInTheirLobes() throws IOException {
    Path csv = tmp.resolve("lobes.csv");
    Cli.Result r = Cli.run("sample", Cli.example("pot1"), "--chains", "2", "--tune", "0", "--draws", "5",
        "--start=-2,0", "--start", "2,0", "--out", csv.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> rows = Files.readAllLines(csv);
    assertTrue(Double.parseDouble(rows.get(1).split(",")[2]) < 0, rows.toString());
    assertTrue(Double.parseDouble(rows.get(6).split(",")[2]) > 0, rows.toString());
    assertTrue(r.err().contains("The number of samples is too small to check convergence reliably."), r.toString());
  }

  @Test
  void theFunnelWarnsAboutDivergences() throws IOException {
    Cli.Result r = Cli.run("sample", Cli.example("funnel"), "--chains", "2", "--json");
    assertEquals(0, r.code(), r.toString());
    assertTrue(json(r).get("divergences").asInt() > 0);
    assertTrue(r.err().contains(" divergences after tuning. Increase `target_accept` or reparameterize."), r.toString());
    assertTrue(json(r).get("warnings").toString().contains("divergences after tuning"));
  }

  @Test
  void aBadStartIsANumericalFailure() throws IOException {
    Path model = tmp.resolve("half.flow");
    Files.writeString(model, "model half { param x; potential x - log(x); }\n");
    Cli.Result r = Cli.run("sample", model.toString(), "--start=-1", "--chains", "2");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("error: numerical failure: chain 0: bad initial energy"), r.toString());
    Cli.assertNoStackTrace(r);
  }

  @Test
  void userErrorsExitWithTwo() {
    String pot1 = Cli.example("pot1");
    List<List<String>> bad = List.of(
        List.of("--target-accept", "1.5"), List.of("--target-accept", "0"), List.of("--chains", "0"),
        List.of("--draws", "0"), List.of("--tune", "-1"), List.of("--max-treedepth", "0"),
        List.of("--max-treedepth", "31"), List.of("--threads", "0"), List.of("--draws", "many"),
        List.of("--start", "1,2,3"), List.of("--start", "1,x"), List.of("--chains", "3", "--start", "1,2", "--start", "3,4"),
        List.of("--no-such-option"));
    for (List<String> args : bad) {
      Cli.Result r = Cli.run(concat(List.of("sample", pot1), args.toArray(String[]::new)));
      assertEquals(2, r.code(), args + "\n" + r);
      assertTrue(r.err().startsWith("error: "), args + "\n" + r);
      Cli.assertNoStackTrace(r);
    }
    Cli.Result missing = Cli.run("sample", tmp.resolve("nope.flow").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("no such file"), missing.toString());
    Cli.Result accept = Cli.run("sample", pot1, "--target-accept", "1.5");
    assertEquals("error: --target-accept must be between 0 and 1 (exclusive), e.g. 0.9", accept.errLines().get(0));
  }

  @Test
  void helpNamesTheDefaults() {
    Cli.Result r = Cli.run("sample", "--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("max(2, min(4, cores))"), r.out());
    assertTrue(r.out().contains("--target-accept"), r.out());
  }

  private static String[] concat(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
