package io.flowc.compiler.nfvi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.flow.RepeatedFlows;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.kernel.BatchMajor;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.nfvi.Draws;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nfvi.StepCost;
import io.flowc.runtime.nfvi.StepSplit;
import org.junit.jupiter.api.Test;

/**
 * Fits whose steps are split into chunks (docs/performance.md, "Threads in one fit") on compiled
 * kernels: the same bits on 1 to 4 threads, and the unsplit fit's numbers to rounding.
 */
class SplitFitsTest {

  /**
   * Chunks of 16 draws: with nmc 40 the last one has 8, below the batch-major body's 16, so one
   * step runs both the batched and the per-draw body; eight schools' chunks each fill their own
   * workspace with the data.
   */
  @Test
  void splitFitsAreTheSameBitsOnAnyNumberOfThreads() throws Exception {
    check(NfviTest.example("pot1"), "nsf*2", 40);
    check(NfviTest.example("pot1"), "planar*4", 40);
    check(TestPaths.checkExample(TestPaths.example("eight_schools_noncentered")), "scale-hh*3-loc", 40);
  }

  private static void check(CheckedModel model, String formula, int nmc) throws Exception {
    Nfvi plain = NfviTest.nfvi(model, formula);
    Nfvi.Settings settings = NfviTest.settings(20, "adam", 0.01, nmc, 0.5, 5);
    Fit unsplit = plain.fit(settings);
    Fit first = plain.withSplitSteps(n -> new StepSplit(n, 16), 1).fit(settings);
    String what = formula + ", nmc " + nmc;
    assertEquals(Fit.Status.FINISHED, first.status(), what);
    // the first step's loss is the unsplit one but for the order of the sums
    assertEquals(unsplit.history()[0], first.history()[0], 1e-12 * Math.abs(unsplit.history()[0]), what);
    for (int threads = 2; threads <= 4; threads++) {
      Fit fit = plain.withSplitSteps(n -> new StepSplit(n, 16), threads).fit(settings);
      assertArrayEquals(first.history(), fit.history(), what + " on " + threads + " threads");
      assertArrayEquals(first.parameters(), fit.parameters(), what + " on " + threads + " threads");
    }
  }

  /**
   * The rule on the workloads' kernels: W1's steps split into two chunks of 50 draws, W7's into two
   * of 128 (a chunk holds a whole block of its block products); W2's 10 draws, and W4's one, stay whole.
   */
  @Test
  void theRuleSplitsW1AndW7() throws Exception {
    CheckedModel pot1 = NfviTest.example("pot1");
    StepCost w1 = Compilation.stepCost(pot1, FlowFormulaParsing.parse("planar*8"));
    assertEquals(453, w1.operationsPerDraw());
    assertEquals(BatchMajor.MIN_DRAWS, w1.minimumChunkDraws());
    assertEquals(new StepSplit(100, 50), StepSplit.rule(w1, 100), "W1: " + w1);
    StepCost w7 = Compilation.stepCost(pot1, FlowFormulaParsing.parse("nsf(hidden=64)*3"));
    assertEquals(BatchMajor.BLOCK_SIZE, w7.minimumChunkDraws());
    assertEquals(new StepSplit(256, 128), StepSplit.rule(w7, 256), "W7: " + w7);
    assertNull(StepSplit.rule(Compilation.stepCost(NfviTest.example("pot4"), FlowFormulaParsing.parse("planar*10")), 10));
    StepCost w4 = Compilation.stepCost(NfviTest.example("normal100"), FlowFormulaParsing.parse("scale-hh*100-loc"));
    assertEquals(1, w4.minimumChunkDraws(), "W4's body runs draw by draw");
    assertTrue(w4.operationsPerCall() > 3 * 10_200, "its prologue, epilogue and 10,200 parameters: " + w4);
    assertNull(StepSplit.rule(w4, 1));
  }

  /** The final loss's draws split across threads: every draw's z and log q the bits of one call. */
  @Test
  void samplesAreTheSameBitsOnAnyNumberOfThreads() throws Exception {
    Nfvi plain = NfviTest.nfvi(NfviTest.example("pot1"), "nsf*2");
    double[] theta = plain.layout().initialParameters(0.3, 7);
    Nfvi.Sample one = plain.sample(theta, 13_000, 3, Draws.EVALUATION);
    for (int threads = 2; threads <= 4; threads++) {
      Nfvi.Sample split = plain.withThreads(new StepCost(1_000_000, 0, 1), threads).sample(theta, 13_000, 3, Draws.EVALUATION);
      assertArrayEquals(one.z(), split.z(), threads + " threads");
      assertArrayEquals(one.logq(), split.logq(), threads + " threads");
      assertEquals(plain.evaluate(theta, 13_000, 5).finalLoss(),
          plain.withThreads(new StepCost(1_000_000, 0, 1), threads).evaluate(theta, 13_000, 5).finalLoss());
    }
  }

  /**
   * The final loss's draws are evaluated a block at a time on any number of threads: each draw's
   * log ratio is the one its z and log q from {@link Nfvi#sample} and the model's density give,
   * the base draws taken from the evaluation's stream in order (a block drawn out of turn would
   * pair draws with other base draws).
   */
  @Test
  void theFinalLossIsItsDrawsEachFromTheSampleOfTheSameStream() throws Exception {
    for (String[] example : new String[][] {{"pot1", "planar*8"}, {"normal100", "scale-hh*20-loc"}}) {
      CheckedModel model = NfviTest.example(example[0]);
      Nfvi plain = NfviTest.nfvi(model, example[1]);
      LogDensity density = Compilation.load(model);
      double[] theta = plain.layout().initialParameters(0.3, 7);
      int draws = 9_001;
      Nfvi.Sample sample = plain.sample(theta, draws, 5, Draws.EVALUATION);
      double[] expected = new double[draws];
      double[] work = new double[density.workspaceSize()];
      for (int s = 0; s < draws; s++) {
        expected[s] = density.logDensity(sample.row(s), work) - sample.logq()[s];
      }
      for (int threads = 1; threads <= 3; threads++) {
        Nfvi nfvi = threads == 1 ? plain : plain.withThreads(new StepCost(1_000_000, 0, 1), threads);
        assertArrayEquals(expected, nfvi.evaluate(theta, draws, 5).logRatios(), example[1] + ", " + threads + " threads");
      }
    }
  }

  /** A stack compiled as a loop over its repeats costs per draw about what its unrolled copies cost. */
  @Test
  void aLoopedStackCountsItsBodyOncePerRepeat() throws Exception {
    CheckedModel normal100 = NfviTest.example("normal100");
    FlowFormula w4 = FlowFormulaParsing.parse("scale-hh*100-loc");
    long looped = Compilation.stepCost(normal100, w4).operationsPerDraw();
    long unrolled = RepeatedFlows.withLoopFrom(Integer.MAX_VALUE, () -> {
      try {
        return Compilation.stepCost(normal100, w4).operationsPerDraw();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertTrue(looped > unrolled / 2 && looped < unrolled * 2, "looped " + looped + ", unrolled " + unrolled);
  }
}
