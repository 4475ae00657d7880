package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SbcCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  /** A quick mean-field run on the collinear regression: 60 simulations of 400 iterations, on 2 threads. */
  private static Cli.Result collinear(String... more) {
    return collinear(2, more);
  }

  private static Cli.Result collinear(int threads, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("sbc", Cli.example("collinear"), "--data",
        Cli.example("collinear").replace(".flow", ".json"), "--sims", "60", "--method", "nfvi", "--flow", "scale-loc",
        "--optimizer", "adam", "--lr", "0.1", "--iters", "400", "--threads", String.valueOf(threads)));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void jsonHasEachElementsTestsAndRanks() throws IOException {
    Cli.Result r = collinear("--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode j = JSON.readTree(r.lastOutLine());
    for (String key : List.of("model", "method", "flow", "iterations", "sims", "draws", "seed", "succeeded", "failed",
        "failures", "failed_sims", "short_sims", "divergences", "seconds", "params")) {
      assertTrue(j.has(key), key + " missing from " + j);
    }
    assertEquals(60, j.get("succeeded").asInt());
    assertEquals(99, j.get("draws").asInt());
    assertEquals(List.of("alpha", "beta1", "beta2", "sigma"), iterable(j.get("params").fieldNames()));
    JsonNode beta1 = j.get("params").get("beta1");
    for (String key : List.of("p_value", "chi_square", "ecdf_diff", "ecdf_inside_band", "mean_rank", "shape",
        "bin_edges", "bin_counts", "ranks")) {
      assertTrue(beta1.has(key), key + " missing from " + beta1);
    }
    assertEquals(60, beta1.get("ranks").size());
    // 60 simulations: 3 bins would expect 60 * 33 / 100 = 19.8 ranks in the narrow ones, so 2
    assertEquals(2, beta1.get("bin_counts").size());
    // the table on stdout says the same
    assertTrue(r.out().lines().anyMatch(l -> l.matches("beta1 +\\S+ +[0-9.]+ +(inside|OUTSIDE) +[0-9.]+ +\\S+")),
        r.toString());
    assertTrue(r.err().contains("sbc collinear: 60 simulations, NFVI scale-loc, adam lr 0.1, 400 iterations"),
        r.toString());
  }

  private static List<String> iterable(java.util.Iterator<String> names) {
    List<String> list = new java.util.ArrayList<>();
    names.forEachRemaining(list::add);
    return list;
  }

  @Test
  void ranksDoNotDependOnTheThreadCount() throws IOException {
    JsonNode two = JSON.readTree(collinear("--json").lastOutLine());
    JsonNode one = JSON.readTree(collinear(1, "--json").lastOutLine());
    assertEquals(two.get("params").get("beta1").get("ranks"), one.get("params").get("beta1").get("ranks"));
    JsonNode other = JSON.readTree(collinear("--json", "--seed", "5").lastOutLine());
    assertFalse(two.get("params").get("beta1").get("ranks").equals(other.get("params").get("beta1").get("ranks")));
  }

  @Test
  void failedSimulationsAreCountedAndNamed() throws IOException {
    // a scale with no bound: about half the simulations draw it negative and cannot draw y
    Path model = Files.writeString(tmp.resolve("scale.flow"), """
        model scale {
          data int N;
          data real y[N];
          param mu;
          param s;
          mu ~ normal(0, 1);
          s ~ normal(1, 1);
          y ~ normal(mu, s);
        }
        """);
    Path data = Files.writeString(tmp.resolve("scale.json"), "{\"N\": 5}");
    Cli.Result r = Cli.run("sbc", model.toString(), "--data", data.toString(), "--sims", "40", "--method", "nfvi",
        "--flow", "scale-loc", "--iters", "200", "--optimizer", "adam", "--lr", "0.05", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode j = JSON.readTree(r.lastOutLine());
    int failed = j.get("failed").asInt();
    assertTrue(failed > 0 && failed < 40, r.toString());
    assertEquals(40, failed + j.get("succeeded").asInt());
    int counted = 0;
    for (JsonNode n : j.get("failures")) {
      counted += n.asInt();
    }
    assertEquals(failed, counted, r.toString());
    assertTrue(j.get("failures").has("simulation_failed"), r.toString());
    assertTrue(r.err().contains("warning: " + failed + " of 40 simulations failed and are left out of the ranks ("),
        r.toString());
    assertEquals(40 - failed, j.get("params").get("mu").get("ranks").size());
  }

  @Test
  void noSimulationLeftIsANumericalFailure() throws IOException {
    // the scale is drawn negative (almost) every time: no simulation can draw y
    Path model = Files.writeString(tmp.resolve("negative.flow"), """
        model negative {
          data int N;
          data real y[N];
          param s;
          s ~ normal(-50, 1);
          y ~ normal(0, s);
        }
        """);
    Path data = Files.writeString(tmp.resolve("negative.json"), "{\"N\": 2}");
    Cli.Result r = Cli.run("sbc", model.toString(), "--data", data.toString(), "--sims", "5", "--method", "nuts",
        "--json");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("warning: 5 of 5 simulations failed and are left out of the ranks (simulation_failed 5)"),
        r.toString());
    assertTrue(r.err().contains("error: numerical failure: every simulation failed"), r.toString());
    JsonNode j = JSON.readTree(r.lastOutLine());
    assertEquals(0, j.get("succeeded").asInt());
    assertEquals(5, j.get("failed_sims").size());
  }

  @Test
  void plotWritesTheRankHistograms() throws IOException {
    Path png = tmp.resolve("ranks.png");
    Cli.Result r = collinear("--plot", png.toString(), "--width", "600", "--height", "400");
    assertEquals(0, r.code(), r.toString());
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    assertEquals(600, image.getWidth());
    assertEquals(400, image.getHeight());
  }

  @Test
  void badOptionsAreRefusedBeforeAnyFit() throws IOException {
    Cli.Result method = Cli.run("sbc", Cli.example("collinear"), "--sims", "10", "--method", "advi");
    assertEquals(2, method.code(), method.toString());
    assertTrue(method.err().contains("error: --method must be nuts or nfvi, not 'advi'"), method.toString());

    Cli.Result other = Cli.run("sbc", Cli.example("eight_schools_noncentered"), "--sims", "10", "--method", "nuts",
        "--iters", "100");
    assertEquals(2, other.code(), other.toString());
    assertTrue(other.err().contains("error: --iters is an option of --method nfvi, not of --method nuts"),
        other.toString());

    Cli.Result tune = Cli.run("sbc", Cli.example("collinear"), "--sims", "10", "--method", "nfvi", "--flow",
        "scale-loc", "--tune", "100");
    assertEquals(2, tune.code(), tune.toString());
    assertTrue(tune.err().contains("error: --tune is an option of --method nuts, not of --method nfvi"),
        tune.toString());

    Cli.Result noFlow = Cli.run("sbc", Cli.example("collinear"), "--sims", "10", "--method", "nfvi");
    assertEquals(2, noFlow.code(), noFlow.toString());
    assertTrue(noFlow.err().contains("--method nfvi needs --flow FORMULA"), noFlow.toString());

    Cli.Result sims = Cli.run("sbc", Cli.example("collinear"), "--sims", "0", "--method", "nuts");
    assertEquals(2, sims.code(), sims.toString());

    Path jar = Files.writeString(tmp.resolve("m.jar"), "");
    Cli.Result artifact = Cli.run("sbc", jar.toString(), "--sims", "10", "--method", "nuts");
    assertEquals(2, artifact.code(), artifact.toString());
    assertTrue(artifact.err().contains("sbc needs the model's source (.flow)"), artifact.toString());

    Cli.Result plot = Cli.run("sbc", Cli.example("collinear"), "--sims", "10", "--method", "nuts", "--plot",
        tmp.resolve("no/such/dir/r.png").toString());
    assertEquals(2, plot.code(), plot.toString());
    assertFalse(plot.err().contains("sbc collinear:"), "refused before the run: " + plot);
  }

  @Test
  void helpIsFormattedCleanly() {
    Cli.Result r = Cli.run("sbc", "--help");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("simultaneous 95 % band") && r.out().contains("99 % binomial bands"), r.toString());
    assertFalse((r.out() + r.err()).contains("WARN") || r.out().contains("%n"), r.toString());
  }

  @Test
  void aModelThatCannotBeSimulatedIsRefusedAtItsPlace() throws IOException {
    Path model = Files.writeString(tmp.resolve("pot.flow"), """
        model pot {
          param z;
          potential -z * z;
        }
        """);
    Cli.Result r = Cli.run("sbc", model.toString(), "--sims", "10", "--method", "nuts");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("pot.flow:3:"), r.toString());
    assertFalse(r.err().contains("internal error"), r.toString());
  }
}
