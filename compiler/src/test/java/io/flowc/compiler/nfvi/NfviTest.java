package io.flowc.compiler.nfvi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.nfvi.CheckParametersConvergence;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nfvi.Tracker;
import io.flowc.runtime.optim.Optimizers;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NFVI against known answers: the notebook's W1 against log Z, a standard normal and a correlated
 * Gaussian that the flows can represent exactly, and the loop's behaviour (determinism, NaN,
 * callbacks). Fixed seeds; thresholds with margin over the Monte Carlo noise of the final loss.
 */
class NfviTest {
  static final double LOG_Z_POT1 = TestPaths.potential("pot1").path("logZ").doubleValue();

  static CheckedModel model(String text) throws Exception {
    return FrontEnd.check(new SourceFile("m.flow", text));
  }

  /** The Cholesky factor of corr5's covariance. */
  static final double[][] CORR5_L = {{1, 0, 0, 0, 0}, {0.8, 0.6, 0, 0, 0}, {-0.5, 0.3, 0.7, 0, 0},
      {0.2, -0.4, 0.6, 1.2, 0}, {0, -0.1, 0, 0.5, 0.5}};

  /** A correlated 5-d normal with mean (1, -1, 0.5, 2, 0) and covariance CORR5_L CORR5_L^T. */
  static CheckedModel corr5() throws Exception {
    return NfviTest.model("""
        model corr5 {
          param z[5];
          let d = z - [1, -1, 0.5, 2, 0];
          let y0 = d[0];
          let y1 = (d[1] - 0.8 * y0) / 0.6;
          let y2 = (d[2] + 0.5 * y0 - 0.3 * y1) / 0.7;
          let y3 = (d[3] - 0.2 * y0 + 0.4 * y1 - 0.6 * y2) / 1.2;
          let y4 = (d[4] + 0.1 * y1 - 0.5 * y3) / 0.5;
          potential 0.5 * (y0^2 + y1^2 + y2^2 + y3^2 + y4^2);
        }
        """);
  }

  static CheckedModel example(String name) throws Exception {
    return FrontEnd.check(new SourceFile(name, Files.readString(TestPaths.example(name))));
  }

  static Nfvi nfvi(CheckedModel model, String formulaText) throws Exception {
    FlowFormula formula = FlowFormulaParsing.parse(formulaText);
    return new Nfvi(Compilation.loadFlow(model, formula), Compilation.load(model),
        FlowLayout.ofFlows(formula.flows(), model.dimension()));
  }

  static Nfvi.Settings settings(int iterations, String optimizer, double lr, int nmc, double jitter, long seed) {
    return new Nfvi.Settings(iterations, Optimizers.byName(optimizer, lr), nmc, jitter, seed,
        Nfvi.Settings.NO_CLIPPING, List.of());
  }

  /**
   * W1 in full: pot1, planar*8, adam 0.01, nmc 100, jitter 1, 25000 iterations; the best of four
   * restarts (seeds 0-3): single fits end above -1.74 for four seeds in ten, in worse optima, with
   * PyMC3 as here (over seeds 0-99 the average loss is -1.68 on the mean, -1.75 at the median).
   */
  @Test
  void w1ReachesTheNotebooksLoss() throws Exception {
    Nfvi nfvi = nfvi(example("pot1"), "planar*8");
    Fit fit = null;
    for (long seed = 0; seed < 4; seed++) {
      Fit restart = nfvi.fit(settings(25_000, "adam", 0.01, 100, 1.0, seed));
      assertEquals(Fit.Status.FINISHED, restart.status());
      if (fit == null || restart.averageLoss() < fit.averageLoss()) {
        fit = restart;
      }
    }
    assertEquals(25_000, fit.history().length);
    // the notebook's PyMC3 run: -1.7772; the optimum -log Z = -1.8775
    assertTrue(fit.averageLoss() <= -1.74, "average loss " + fit.averageLoss());
    Nfvi.Evaluation e = nfvi.evaluate(fit.parameters(), 20_000, 0);
    assertTrue(e.finalLoss() + LOG_Z_POT1 < 0.2, "KL " + (e.finalLoss() + LOG_Z_POT1));
    assertTrue(e.finalLoss() + LOG_Z_POT1 > -4 * e.standardError(), "KL cannot be negative: " + e);
    assertTrue(fit.finishLine(25_000).startsWith("Finished [100%]: Average Loss = -1.7"), fit.finishLine(25_000));
  }

  /** A neural formula compiles and fits: from the identity start (a standard normal), a short fit more than halves pot1's KL. */
  @Test
  void aNeuralFormulaCompilesAndFits() throws Exception {
    Nfvi nfvi = nfvi(example("pot1"), "nsf(bins=6,hidden=16)*2");
    double[] start = nfvi.layout().initialParameters(1.0, 0);
    double startKl = nfvi.evaluate(start, 4000, 2).finalLoss() + LOG_Z_POT1;
    Fit fit = nfvi.fit(settings(300, "adam", 0.01, 8, 1.0, 2));
    assertEquals(Fit.Status.FINISHED, fit.status());
    Nfvi.Evaluation e = nfvi.evaluate(fit.parameters(), 4000, 2);
    double kl = e.finalLoss() + LOG_Z_POT1;
    assertTrue(kl < 0.5 * startKl, "KL " + kl + " +- " + e.standardError() + " from " + startKl);
    assertArrayEquals(fit.parameters(), nfvi.fit(settings(300, "adam", 0.01, 8, 1.0, 2)).parameters());
  }

  /** A standard normal is in the scale-loc family: KL (final loss + 50 log 2 pi) must get near 0. */
  @Test
  void scaleLocFitsTheHundredDimensionalNormal() throws Exception {
    Nfvi nfvi = nfvi(example("normal100"), "scale-loc");
    Fit fit = nfvi.fit(settings(15_000, "adam", 0.002, 20, 1.0, 1));
    Nfvi.Evaluation e = nfvi.evaluate(fit.parameters(), 20_000, 1);
    double kl = e.finalLoss() + 50 * Math.log(2 * Math.PI);
    assertTrue(kl < 0.05, "KL " + kl + " +- " + e.standardError());
  }

  /** scale-hh*5-loc can represent any 5-d Gaussian: the draws' covariance is the target's. */
  @Test
  void householderFlowsRecoverACorrelatedGaussian() throws Exception {
    double[][] l = CORR5_L;
    CheckedModel model = corr5();
    Nfvi nfvi = nfvi(model, "scale-hh*5-loc");
    Fit fit = nfvi.fit(settings(10_000, "adam", 0.005, 20, 1.0, 2));
    Nfvi.Sample sample = nfvi.sample(fit.parameters(), 20_000, 2, 7);
    double[][] sigma = new double[5][5];
    double error = 0;
    double norm = 0;
    double[] mean = new double[5];
    for (int s = 0; s < sample.draws(); s++) {
      for (int i = 0; i < 5; i++) {
        mean[i] += sample.z()[5 * s + i] / sample.draws();
      }
    }
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 5; j++) {
        double c = 0;
        for (int s = 0; s < sample.draws(); s++) {
          c += (sample.z()[5 * s + i] - mean[i]) * (sample.z()[5 * s + j] - mean[j]);
        }
        c /= sample.draws() - 1;
        for (int k = 0; k < 5; k++) {
          sigma[i][j] += l[i][k] * l[j][k];
        }
        error += (c - sigma[i][j]) * (c - sigma[i][j]);
        norm += sigma[i][j] * sigma[i][j];
      }
    }
    double relative = Math.sqrt(error / norm);
    assertTrue(relative < 0.1, "relative Frobenius error of the covariance " + relative);
    assertArrayEquals(new double[] {1, -1, 0.5, 2, 0}, mean, 0.1);
  }

  @Test
  void theSameSeedGivesTheSameBits() throws Exception {
    Nfvi nfvi = nfvi(example("pot4"), "planar*3");
    Fit a = nfvi.fit(settings(300, "adagrad_window", 0.01, 5, 0.1, 42));
    Fit b = nfvi.fit(settings(300, "adagrad_window", 0.01, 5, 0.1, 42));
    assertArrayEquals(a.parameters(), b.parameters(), 0.0);
    assertArrayEquals(a.history(), b.history(), 0.0);
    Fit c = nfvi.fit(settings(300, "adagrad_window", 0.01, 5, 0.1, 43));
    assertTrue(c.history()[0] != a.history()[0]);
  }

  /** A NaN stops the fit at its iteration with the last finite parameters (DESIGN section 6). */
  @Test
  void aNaNStopsTheFitKeepingTheLastFiniteParameters() throws Exception {
    // U = log(z + 3) pulls z down towards -3, where the steps overshoot into log of a negative number
    Nfvi nfvi = nfvi(model("model m { param z; potential log(z + 3); }"), "loc");
    Fit fit = nfvi.fit(settings(1000, "sgd", 1.0, 1, 0.0, 3));
    assertEquals(Fit.Status.NOT_FINITE, fit.status());
    assertTrue(fit.iterations() >= 1 && fit.iterations() < 1000, fit.toString());
    assertEquals(fit.iterations() - 1, fit.history().length);
    for (double p : fit.parameters()) {
      assertTrue(Double.isFinite(p));
    }
    assertTrue(fit.message().contains("at iteration " + fit.iterations()), fit.message());
    assertTrue(fit.finishLine(1000).startsWith("Stopped at iteration " + String.format("%,d", fit.iterations())));
  }

  /** An infinite loss stops the fit as a NaN does, whatever its sign: it is never a finished fit. */
  @Test
  void anInfiniteLossStopsTheFit() throws Exception {
    for (String term : List.of("1/0", "log(0)")) {
      Nfvi nfvi = nfvi(model("model m { param z; potential 0.5 * z^2 + " + term + "; }"), "scale-loc");
      Fit fit = nfvi.fit(settings(100, "adam", 0.01, 1, 1.0, 0));
      assertEquals(Fit.Status.NOT_FINITE, fit.status(), term);
      assertEquals(1, fit.iterations(), term);
      assertEquals(0, fit.history().length, term);
      String sign = term.equals("1/0") ? "Infinity" : "-Infinity";
      assertEquals("the loss is " + sign + " at iteration 1; the parameters are those before it", fit.message());
    }
  }

  /** A final loss over draws where the density is zero is infinite, and says how many draws those are. */
  @Test
  void anInfiniteFinalLossSaysWhichDrawsWereNotFinite() throws Exception {
    // q = N(0, 1) puts about 2.3% of its draws below -2, where the density is zero
    Nfvi nfvi = nfvi(model("model m { param z; potential 0.5 * z^2 + (z < -2 ? 1/0 : 0); }"), "loc");
    Nfvi.Evaluation evaluation = nfvi.evaluate(new double[] {0}, 10_000, 1);
    assertFalse(evaluation.isFinite());
    assertEquals(Double.POSITIVE_INFINITY, evaluation.finalLoss());
    long zero = Arrays.stream(evaluation.logRatios()).filter(r -> r == Double.NEGATIVE_INFINITY).count();
    assertTrue(zero > 150 && zero < 300, "draws below -2: " + zero);
    assertEquals(String.format("the final loss is Infinity: log p(z) - log q(z) is -Infinity (a density of zero) "
        + "at %d of 10,000 fresh draws", zero), evaluation.failure());
    Nfvi.Evaluation inside = nfvi.evaluate(new double[] {5}, 1000, 1);
    assertTrue(inside.isFinite());
    assertEquals("", inside.failure());
  }

  @Test
  void callbacksTrackAndStop() throws Exception {
    Nfvi nfvi = nfvi(example("pot1"), "planar*2");
    FlowLayout layout = nfvi.layout();
    Tracker tracker = new Tracker(10, layout.elementNames());
    CheckParametersConvergence converged =
        new CheckParametersConvergence(50, 10.0, CheckParametersConvergence.Diff.ABSOLUTE, Double.POSITIVE_INFINITY);
    Fit fit = nfvi.fit(new Nfvi.Settings(1000, Optimizers.byName("adam", 0.01), 10, 1.0, 5, Nfvi.Settings.NO_CLIPPING,
        List.of(tracker, converged)));
    // the first check is at iteration 50; with a tolerance of 10 it stops there, dropping that step's loss
    assertEquals(Fit.Status.INTERRUPTED, fit.status());
    assertEquals("Convergence achieved at 50", fit.message());
    assertEquals(49, fit.history().length);
    assertTrue(fit.finishLine(1000).startsWith("Interrupted at 49 [4%]: Average Loss = "), fit.finishLine(1000));
    assertEquals(List.of(10, 20, 30, 40, 50), tracker.iterations());
    StringWriter csv = new StringWriter();
    tracker.writeCsv(csv);
    List<String> lines = csv.toString().lines().toList();
    assertEquals(6, lines.size());
    assertEquals("iteration," + String.join(",", layout.elementNames()) + ",grad."
        + String.join(",grad.", layout.elementNames()), lines.get(0));
    assertEquals(1 + 2 * layout.parameterCount(), lines.get(5).split(",").length);
  }

  @Test
  void averageLossIsTheMeanOfTheLastThousandAndOneFiniteLosses() {
    double[] history = new double[2000];
    for (int i = 0; i < history.length; i++) {
      history[i] = i < 999 ? 100 : (i % 7 == 0 ? Double.POSITIVE_INFINITY : 1);
    }
    Fit fit = new Fit(new double[0], history, Fit.Status.FINISHED, 2000, "");
    assertEquals(1.0, fit.averageLoss());
    assertEquals("Finished [100%]: Average Loss = 1", fit.finishLine(2000));
    Fit shortFit = new Fit(new double[0], new double[] {3, -0.890744}, Fit.Status.FINISHED, 2, "");
    assertEquals("Finished [100%]: Loss = -0.89074", shortFit.finishLine(2));
  }
}
