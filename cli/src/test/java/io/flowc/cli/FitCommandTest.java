package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

class FitCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private static JsonNode json(Cli.Result r) throws IOException {
    return JSON.readTree(r.lastOutLine());
  }

  @Test
  void aShortFitReportsEverythingTheContractNames() throws IOException {
    Cli.Result r = Cli.run("fit", Cli.example("pot1"), "--flow", "planar*2", "--iters", "500", "--nmc", "10",
        "--optimizer", "adam", "--lr", "0.01", "--eval-draws", "2000", "--seed", "7", "--json");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.outLines().get(0).startsWith("Finished [100%]: Average Loss = "), r.toString());
    JsonNode j = json(r);
    for (String key : List.of("model", "flow", "iterations", "average_loss", "final_loss", "final_loss_se", "pareto_k",
        "compile_seconds", "fit_seconds", "seed", "restarts", "optimizer", "learning_rate", "nmc", "jitter", "parameters")) {
      assertTrue(j.has(key), key + " missing from " + j);
    }
    assertEquals("pot1", j.get("model").asText());
    assertEquals("planar*2", j.get("flow").asText());
    assertEquals(500, j.get("iterations").asInt());
    assertEquals(7, j.get("seed").asLong());
    assertEquals("adam", j.get("optimizer").asText());
    assertEquals(1, j.get("restarts").size());
    assertEquals(10, j.get("parameters").size());
    assertTrue(j.get("parameters").has("planar_1.u[0]"));
    // the final loss is a Monte Carlo mean: its standard error is positive and small
    assertTrue(j.get("final_loss_se").asDouble() > 0 && j.get("final_loss_se").asDouble() < 0.1, j.toString());
  }

  @Test
  void pyMc3DefaultsApply() throws IOException {
    Cli.Result r = Cli.run("fit", Cli.example("pot2"), "--flow", "scale-loc", "--iters", "20", "--eval-draws", "100", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode j = json(r);
    assertEquals("adagrad_window", j.get("optimizer").asText());
    assertEquals(0.001, j.get("learning_rate").asDouble());
    assertEquals(1, j.get("nmc").asInt());
    assertEquals(1.0, j.get("jitter").asDouble());
  }

  @Test
  void drawsAndTrackerAreWritten() throws IOException {
    Path draws = tmp.resolve("draws.csv");
    Path track = tmp.resolve("track.csv");
    Cli.Result r = Cli.run("fit", Cli.example("pot1"), "--flow", "radial-loc", "--iters", "100", "--eval-draws", "100",
        "--out", draws.toString(), "--draws", "37", "--track", "25", "--track-out", track.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> rows = Files.readAllLines(draws);
    assertEquals("z[0],z[1]", rows.get(0));
    assertEquals(38, rows.size());
    List<String> tracked = Files.readAllLines(track);
    assertEquals(5, tracked.size()); // header and iterations 25, 50, 75, 100
    assertTrue(tracked.get(0).startsWith("iteration,loc_1.loc[0],loc_1.loc[1],radial_0.a,"), tracked.get(0));
    assertTrue(tracked.get(1).startsWith("25,"));
  }

  /** Restarts keep the best by final loss; the result does not depend on the number of threads. */
  @Test
  void restartsAreDeterministicForAnyThreadCount() throws IOException {
    List<String> args = new ArrayList<>(List.of("fit", Cli.example("pot4"), "--flow", "planar*3", "--iters", "300",
        "--nmc", "5", "--optimizer", "adam", "--lr", "0.01", "--restarts", "3", "--eval-draws", "2000", "--json"));
    JsonNode one = json(Cli.run(concat(args, "--threads", "1")));
    JsonNode three = json(Cli.run(concat(args, "--threads", "3")));
    assertEquals(one.get("parameters"), three.get("parameters"));
    assertEquals(one.get("final_loss"), three.get("final_loss"));
    double best = Double.POSITIVE_INFINITY;
    for (int k = 0; k < one.get("restarts").size(); k++) {
      JsonNode r = one.get("restarts").get(k);
      assertEquals(r.get("seed"), three.get("restarts").get(k).get("seed"));
      assertEquals(r.get("final_loss"), three.get("restarts").get(k).get("final_loss"));
      best = Math.min(best, r.get("final_loss").asDouble());
    }
    assertEquals(best, one.get("final_loss").asDouble());
  }

  /**
   * Steps with much work split their draws, with or without --threads (nsf*2 at nmc 256: two chunks
   * of 128; planar*8 at nmc 100, W1: two of 50): the same bits on one thread, two and every core.
   */
  @Test
  void splitStepsAreDeterministicForAnyThreadCount() throws IOException {
    for (String[] flow : new String[][] {{"nsf*2", "256", "5"}, {"planar*8", "100", "200"}}) {
      List<String> args = new ArrayList<>(List.of("fit", Cli.example("pot1"), "--flow", flow[0], "--iters", flow[2],
          "--nmc", flow[1], "--optimizer", "adam", "--lr", "0.01", "--eval-draws", "100", "--json"));
      JsonNode one = json(Cli.run(concat(args, "--threads", "1")));
      JsonNode two = json(Cli.run(concat(args, "--threads", "2")));
      JsonNode cores = json(Cli.run(args.toArray(String[]::new)));
      for (JsonNode fit : List.of(one, two, cores)) {
        assertEquals(2, fit.get("step_chunks").asInt(), flow[0] + ": two chunks");
        assertEquals(one.get("parameters"), fit.get("parameters"), flow[0]);
        assertEquals(one.get("average_loss"), fit.get("average_loss"), flow[0]);
        assertEquals(one.get("final_loss"), fit.get("final_loss"), flow[0]);
      }
    }
    JsonNode whole = json(Cli.run("fit", Cli.example("pot1"), "--flow", "planar*8", "--iters", "5", "--nmc", "60",
        "--eval-draws", "100", "--json"));
    assertEquals(1, whole.get("step_chunks").asInt(), "30 draws of planar*8 are too little work for a chunk");
  }

  /**
   * Without --threads the final loss's draws (their flow and their log densities) run on the cores
   * left to the fit, with --threads 1 on one: every number is the same bit for bit.
   */
  @Test
  void theFinalLossIsTheSameOnAnyNumberOfCores() throws IOException {
    List<String> args = new ArrayList<>(List.of("fit", Cli.example("pot1"), "--flow", "planar*2", "--iters", "50",
        "--nmc", "10", "--optimizer", "adam", "--lr", "0.01", "--eval-draws", "20000", "--json"));
    JsonNode cores = json(Cli.run(args.toArray(String[]::new)));
    JsonNode one = json(Cli.run(concat(args, "--threads", "1")));
    assertEquals(one.get("final_loss"), cores.get("final_loss"));
    assertEquals(one.get("pareto_k"), cores.get("pareto_k"));
    assertEquals(one.get("parameters"), cores.get("parameters"));
    // a model with data: each thread's log densities on the data in a workspace of its own
    String kidiq = Cli.example("kidiq_interaction");
    List<String> data = new ArrayList<>(List.of("fit", kidiq, "--data", kidiq.replace(".flow", ".json"), "--flow",
        "scale-loc", "--iters", "50", "--optimizer", "adam", "--lr", "0.01", "--eval-draws", "9000", "--json"));
    JsonNode dataOne = json(Cli.run(concat(data, "--threads", "1")));
    JsonNode dataTwo = json(Cli.run(concat(data, "--threads", "2")));
    assertEquals(dataOne.get("final_loss"), dataTwo.get("final_loss"));
    assertEquals(dataOne.get("pareto_k"), dataTwo.get("pareto_k"));
  }

  /** A long stack compiles to a loop over its repeats (W4's shape): fit, its cost and its report work through it. */
  @Test
  void aLoopedStackFits() throws IOException {
    Cli.Result r = Cli.run("fit", Cli.example("normal100"), "--flow", "scale-hh*100-loc", "--iters", "20", "--nmc", "1",
        "--optimizer", "adam", "--lr", "0.01", "--jitter", "0.1", "--eval-draws", "100", "--threads", "1", "--json");
    assertEquals(0, r.code(), r.toString());
    assertEquals("finished", json(r).get("status").asText());
  }

  /** Restarts run on min(R, T) threads and share the others for their steps. */
  @Test
  void restartsShareTheThreadsLeftForTheirSteps() {
    assertEquals(4, FitCommand.stepThreads(4, 1));
    assertEquals(2, FitCommand.stepThreads(4, 2));
    assertEquals(1, FitCommand.stepThreads(3, 2));
    assertEquals(1, FitCommand.stepThreads(2, 8));
    assertEquals(1, FitCommand.stepThreads(1, 1));
  }

  /** W1 with four restarts: the best reaches KL <= 0.10 (log Z = 1.8775). */
  @Test
  void w1WithRestartsReachesAGoodOptimum() throws IOException {
    Cli.Result r = Cli.run("fit", Cli.example("pot1"), "--flow", "planar*8", "--optimizer", "adam", "--lr", "0.01",
        "--nmc", "100", "--iters", "25000", "--jitter", "1", "--restarts", "4", "--eval-draws", "20000", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode j = json(r);
    double best = j.get("final_loss").asDouble();
    assertTrue(best <= -1.78, "final loss " + best);
    for (JsonNode each : j.get("restarts")) {
      assertTrue(best <= each.get("final_loss").asDouble());
    }
  }

  @Test
  void aNumericalFailureExitsWithThreeAndStillWritesOutputs() throws IOException {
    Path model = tmp.resolve("nan.flow");
    Files.writeString(model, "model nan { param z; potential log(z + 3); }\n");
    Path draws = tmp.resolve("nan-draws.csv");
    Cli.Result r = Cli.run("fit", model.toString(), "--flow", "loc", "--optimizer", "sgd", "--lr", "1", "--jitter", "0",
        "--iters", "1000", "--eval-draws", "100", "--out", draws.toString(), "--json");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().startsWith("error: numerical failure: "), r.toString());
    assertTrue(r.outLines().get(0).startsWith("Stopped at iteration "), r.toString());
    assertEquals("not_finite", json(r).get("status").asText());
    assertTrue(Files.exists(draws));
  }

  /** A restart whose loss turned NaN never wins over one that finished, and the fit succeeds. */
  @Test
  void theBestFinishedRestartWinsOverFailedOnes() throws IOException {
    Path model = tmp.resolve("gamma.flow");
    Files.writeString(model, "model gamma { param x; logp += log(x) - x; }\n");
    Cli.Result r = Cli.run("fit", model.toString(), "--flow", "scale-loc", "--iters", "2000", "--restarts", "6",
        "--jitter", "2", "--seed", "3", "--eval-draws", "20000", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode j = json(r);
    assertEquals("finished", j.get("status").asText());
    JsonNode chosen = j.get("restarts").get(j.get("best_restart").asInt());
    assertEquals("finished", chosen.get("status").asText());
    assertEquals(chosen.get("final_loss"), j.get("final_loss"));
    int failed = 0;
    for (JsonNode each : j.get("restarts")) {
      if (each.get("status").asText().equals("not_finite")) {
        failed++;
      } else {
        assertTrue(j.get("final_loss").asDouble() <= each.get("final_loss").asDouble(), j.toString());
      }
    }
    // with these seeds most restarts step into log of a negative number
    assertTrue(failed >= 1, j.toString());
    assertTrue(r.err().contains("warning: " + failed + " of 6 restarts ended with a loss that is not finite"),
        r.toString());
  }

  @Test
  void whenNoRestartFinishesTheFitIsANumericalFailure() throws IOException {
    Path model = tmp.resolve("inf.flow");
    Files.writeString(model, "model inf { param x; potential 0.5 * x^2 + 1/0; }\n");
    Cli.Result r = Cli.run("fit", model.toString(), "--flow", "scale-loc", "--iters", "100", "--restarts", "3",
        "--eval-draws", "100", "--json");
    assertEquals(3, r.code(), r.toString());
    assertEquals("not_finite", json(r).get("status").asText());
    assertTrue(r.err().contains("error: numerical failure: no restart succeeded; restart 1: the loss is Infinity "
        + "at iteration 1"), r.toString());
  }

  /** A loss of +inf or -inf stops the fit at its iteration, as a NaN does. */
  @Test
  void anInfiniteLossIsNeverFinished() throws IOException {
    for (String term : List.of("1/0", "log(0)", "(x < 2 ? 1/0 : 0)")) {
      Path model = tmp.resolve("inf.flow");
      Files.writeString(model, "model inf { param x; potential 0.5 * x^2 + " + term + "; }\n");
      Cli.Result r = Cli.run("fit", model.toString(), "--flow", "scale-loc", "--iters", "2000", "--eval-draws", "100",
          "--json");
      assertEquals(3, r.code(), r.toString());
      assertTrue(r.outLines().get(0).startsWith("Stopped at iteration "), r.toString());
      assertTrue(r.err().startsWith("error: numerical failure: the loss is "), r.toString());
      assertTrue(r.err().contains("Infinity at iteration "), r.toString());
      assertEquals("not_finite", json(r).get("status").asText());
    }
  }

  /** A fit that finished its iterations but whose flow puts draws where the density is zero failed. */
  @Test
  void anInfiniteFinalLossIsANumericalFailure() throws IOException {
    Path model = tmp.resolve("wall.flow");
    Files.writeString(model, "model wall { param x; potential 0.5 * x^2 + (x < -2 ? 1/0 : 0); }\n");
    Cli.Result r = Cli.run("fit", model.toString(), "--flow", "scale-loc", "--iters", "20", "--jitter", "0",
        "--eval-draws", "2000", "--json");
    assertEquals(3, r.code(), r.toString());
    JsonNode j = json(r);
    assertEquals(20, j.get("iterations").asInt());
    assertEquals("not_finite", j.get("status").asText());
    assertEquals("not_finite", j.get("restarts").get(0).get("status").asText());
    assertEquals("Infinity", j.get("final_loss").asText());
    assertTrue(r.err().startsWith("error: numerical failure: the final loss is Infinity: log p(z) - log q(z) is "
        + "-Infinity (a density of zero) at "), r.toString());
    assertTrue(r.err().contains(" of 2,000 fresh draws"), r.toString());
  }

  /** Too few evaluation draws for Pareto smoothing: pareto_k is NaN in valid JSON, and a note says why. */
  @Test
  void aParetoKThatCannotBeComputedIsExplained() throws IOException {
    Cli.Result r = Cli.run("fit", Cli.example("pot1"), "--flow", "scale-loc", "--iters", "100", "--eval-draws", "10",
        "--json");
    assertEquals(0, r.code(), r.toString());
    assertEquals("NaN", json(r).get("pareto_k").asText());
    assertTrue(r.err().contains("note: pareto_k is NaN: not computed: Pareto smoothing needs at least 21 draws"),
        r.toString());
    assertTrue(r.err().contains("got 10 (--eval-draws 10)"), r.toString());
    Cli.Result enough = Cli.run("fit", Cli.example("pot1"), "--flow", "scale-loc", "--iters", "100", "--eval-draws",
        "100");
    assertFalse(enough.err().contains("pareto_k"), enough.toString());
  }

  @Test
  void fittingAnArtifact() throws IOException {
    Path jar = tmp.resolve("pot1.jar");
    assertEquals(0, Cli.run("compile", Cli.example("pot1"), "--flow", "planar*2", "-o", jar.toString()).code());
    List<String> common = List.of("--iters", "200", "--nmc", "5", "--optimizer", "adam", "--lr", "0.01",
        "--eval-draws", "500", "--json");
    JsonNode fromJar = json(Cli.run(concat(List.of("fit", jar.toString(), "--flow", "planar*2"), common.toArray(String[]::new))));
    JsonNode fromSource =
        json(Cli.run(concat(List.of("fit", Cli.example("pot1"), "--flow", "planar*2"), common.toArray(String[]::new))));
    assertEquals(fromSource.get("parameters"), fromJar.get("parameters"));
    Cli.Result missing = Cli.run("fit", jar.toString(), "--flow", "planar*3", "--iters", "10");
    assertEquals(2, missing.code(), missing.toString());
    assertTrue(missing.err().contains("has no compiled flow 'planar*3'"), missing.toString());
  }

  @Test
  void userErrors() {
    Cli.Result optimizer = Cli.run("fit", Cli.example("pot1"), "--flow", "loc", "--optimizer", "adamm");
    assertEquals(2, optimizer.code());
    assertTrue(optimizer.err().startsWith("error: --optimizer: unknown optimizer 'adamm'"), optimizer.toString());
    Cli.Result formula = Cli.run("fit", Cli.example("pot1"), "--flow", "planar*0");
    assertEquals(2, formula.code());
    assertTrue(formula.err().contains("repeat count must be a positive integer in 'planar*0'"), formula.toString());
    Cli.Result tooManyLayers = Cli.run("fit", Cli.example("pot1"), "--flow", "planar*5000");
    assertEquals(2, tooManyLayers.code());
    assertEquals("error: --flow:1:8: repeat count 5000 is too large in 'planar*5000' (at most 1000)",
        tooManyLayers.errLines().get(0), tooManyLayers.toString());
    Cli.Result noFlow = Cli.run("fit", Cli.example("pot1"));
    assertEquals(2, noFlow.code());
    Cli.Result badCount = Cli.run("fit", Cli.example("pot1"), "--flow", "loc", "--nmc", "0");
    assertEquals(2, badCount.code());
    assertFalse(badCount.err().contains("\tat "));
  }

  /** A Gaussian posterior's Laplace start is the posterior: with no step taken, the flow is exact (k near 0). */
  @Test
  void aLaplaceStartAtTheMode() throws IOException {
    Path model = tmp.resolve("corr.flow");
    Files.writeString(model, "model corr { param z[2]; let y1 = (z[1] - 0.9 * z[0]) / 0.3; "
        + "potential 0.5 * ((z[0] - 3)^2 + y1^2); }\n");
    // no --jitter: with --init laplace its default is 0, so the start is the Gaussian itself
    Cli.Result r = Cli.run("fit", model.toString(), "--flow", "nsf-scale-hh-loc", "--init", "laplace",
        "--iters", "0", "--eval-draws", "2000", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode j = json(r);
    assertEquals("laplace", j.get("init").asText());
    // -log Z = -log(2 pi 0.3); log q - log p the same at every draw
    assertEquals(-Math.log(2 * Math.PI * 0.3), j.get("final_loss").asDouble(), 1e-6, r.toString());
    assertTrue(j.get("final_loss_se").asDouble() < 1e-6, r.toString());
    assertEquals(3.0, j.get("parameters").get("loc_3.loc[0]").asDouble(), 1e-6);
    assertTrue(r.err().startsWith("Laplace start: mode at log p = "), r.toString());
    assertEquals(0.0, j.get("jitter").asDouble());
    Cli.Result jittered = Cli.run("fit", model.toString(), "--flow", "nsf-scale-hh-loc", "--init", "laplace",
        "--jitter", "0.5", "--iters", "0", "--eval-draws", "2000", "--json");
    assertEquals(0.5, json(jittered).get("jitter").asDouble());
    assertTrue(json(jittered).get("final_loss_se").asDouble() > 1e-3, jittered.toString());
    Cli.Result usual = Cli.run("fit", model.toString(), "--flow", "scale-loc", "--iters", "0", "--eval-draws", "100",
        "--json");
    assertEquals("usual", json(usual).get("init").asText());
  }

  @Test
  void laplaceStartErrors() throws IOException {
    Cli.Result shape = Cli.run("fit", Cli.example("pot1"), "--flow", "planar*2", "--init", "laplace");
    assertEquals(2, shape.code(), shape.toString());
    assertEquals("error: --init laplace: the formula must end in loc, scale-loc or scale-hh*k-loc, the flows that "
        + "take the Gaussian, not planar*2", shape.errLines().get(0));
    Path flat = tmp.resolve("flat.flow");
    Files.writeString(flat, "model flat { param a; param b; potential 0.5 * a^2; }\n");
    Cli.Result improper = Cli.run("fit", flat.toString(), "--flow", "scale-loc", "--init", "laplace");
    assertEquals(2, improper.code(), improper.toString());
    assertTrue(improper.errLines().get(0).startsWith("error: --init laplace: ")
        && improper.err().contains("not positive definite"), improper.toString());
    assertEquals(1, improper.errLines().size(), improper.toString());
    Cli.Result name = Cli.run("fit", Cli.example("pot1"), "--flow", "loc", "--init", "mode");
    assertEquals(2, name.code());
    assertEquals("error: --init must be usual or laplace, not 'mode'", name.errLines().get(0));
  }

  /** --start sets named elements of the start, over --init's and its jitter; the others keep theirs. */
  @Test
  void startValuesByName() throws IOException {
    List<String> common = List.of("fit", Cli.example("pot2"), "--flow", "scale-nsf(bins=4,hidden=4)", "--iters", "0",
        "--eval-draws", "100", "--seed", "3", "--json");
    JsonNode plain = json(Cli.run(common.toArray(String[]::new)));
    Cli.Result r = Cli.run(concat(common, "--start", "scale_0.rho[0]=12", "--start", "nsf_1.out.bias[2]=-0.25"));
    assertEquals(0, r.code(), r.toString());
    JsonNode p = json(r).get("parameters");
    assertEquals(12.0, p.get("scale_0.rho[0]").asDouble(), 0.0);
    assertEquals(-0.25, p.get("nsf_1.out.bias[2]").asDouble(), 0.0);
    assertEquals(plain.get("parameters").get("scale_0.rho[1]").asDouble(), p.get("scale_0.rho[1]").asDouble(), 0.0);
    assertEquals(plain.get("parameters").get("nsf_1.out.bias[3]").asDouble(), p.get("nsf_1.out.bias[3]").asDouble(),
        0.0);

    Cli.Result unknown = Cli.run(concat(common, "--start", "scale_1.rho[0]=1"));
    assertEquals(2, unknown.code(), unknown.toString());
    assertEquals("error: --start: no flow parameter 'scale_1.rho[0]' in this formula (names as --json lists them, "
        + "e.g. nsf_1.net.0.weight[0,0])", unknown.errLines().get(0));
    Cli.Result malformed = Cli.run(concat(common, "--start", "scale_0.rho[0]"));
    assertEquals(2, malformed.code(), malformed.toString());
    assertEquals("error: --start takes NAME=X with X a finite number, e.g. scale_0.rho[0]=12, not 'scale_0.rho[0]'",
        malformed.errLines().get(0));
  }

  private static String[] concat(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
