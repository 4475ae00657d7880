package io.flowc.runtime.nfvi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowFormulas;
import io.flowc.runtime.optim.Optimizers;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitStepsTest {

  /** W1's body: 453 operations per draw, a few hundred per call, batched (BatchMajor.operationsPerDraw). */
  private static final StepCost W1 = new StepCost(453, 300, 16);

  /** W7's body: 91,107 operations per draw, with block products (a chunk is at least a block of 128). */
  private static final StepCost W7 = new StepCost(91_107, 120_000, 128);

  @Test
  void theRuleSplitsStepsIntoAsManyChunksAsTheirWorkAndBlocksAllow() {
    assertEquals(new StepSplit(100, 50), StepSplit.rule(W1, 100), "W1: two chunks of 50");
    assertNull(StepSplit.rule(W1, 60), "30 draws of 453 are below 2^14 operations");
    assertEquals(new StepSplit(256, 128), StepSplit.rule(W7, 256));
    assertEquals(8, StepSplit.rule(W7, 1024).chunks());
    assertEquals(new StepSplit(1 << 16, 1 << 12), StepSplit.rule(W7, 1 << 16), "at most 16 chunks");
    assertNull(StepSplit.rule(W7, 255), "a chunk of W7 holds a whole block");
    assertNull(StepSplit.rule(StepCost.UNKNOWN, 1 << 20), "a kernel of unknown cost stays unsplit");
    assertNull(StepSplit.rule(new StepCost(182_409, 60_000, 1), 1), "one draw cannot be split");
    assertNull(StepSplit.rule(new StepCost(2_000, 300, 16), 20), "10 draws are below the batched body's 16");
    // the calls' own work: 4 x 10,000 operations per call need chunks of 40,000 operations of draws
    assertEquals(new StepSplit(100, 25), StepSplit.rule(new StepCost(2_000, 10_000, 1), 100));
    assertEquals(new StepSplit(100, 50), StepSplit.rule(new StepCost(2_000, 20_000, 1), 100));
    assertNull(StepSplit.rule(new StepCost(2_000, 40_000, 1), 100));
    for (StepCost cost : new StepCost[] {W1, W7, new StepCost(700, 5_000, 1)}) {
      for (int nmc = 1; nmc <= 3000; nmc += nmc < 300 ? 1 : 37) {
        StepSplit s = StepSplit.rule(cost, nmc);
        if (s == null) {
          continue;
        }
        assertTrue(s.chunks() >= 2 && s.chunks() <= StepSplit.MAX_CHUNKS, cost + " nmc " + nmc);
        int covered = 0;
        for (int c = 0; c < s.chunks(); c++) {
          assertEquals(covered, s.start(c));
          assertTrue(s.draws(c) >= cost.minimumChunkDraws() && s.draws(c) <= s.chunkDraws());
          assertTrue(s.draws(c) * cost.operationsPerDraw() >= StepSplit.CHUNK_OPERATIONS);
          assertTrue(s.draws(c) * cost.operationsPerDraw() >= StepSplit.CALL_SHARE * cost.operationsPerCall());
          covered += s.draws(c);
        }
        assertEquals(nmc, covered);
      }
    }
  }

  @Test
  void costsReadBackAsTheyWereWritten() {
    assertEquals(W7, StepCost.decode(W7.encode()));
    assertEquals("453,300,16", W1.encode());
    assertThrows(IllegalArgumentException.class, () -> StepCost.decode("453,300"));
    assertThrows(IllegalArgumentException.class, () -> StepCost.decode("453,300,0"));
    assertThrows(IllegalArgumentException.class, () -> StepCost.decode("-1,300,16"));
  }

  /**
   * The step's loss and gradient are the sums over chunks in chunk order: chunk means chosen so
   * that any other order of the sums rounds to other bits.
   */
  @Test
  void chunksAreCombinedInChunkOrder() {
    StepSplit split = new StepSplit(48, 16);
    double[][] eps = {{1.0}, {1e16}, {-1e16}};
    double[] all = new double[48];
    for (int c = 0; c < 3; c++) {
      java.util.Arrays.fill(all, c * 16, c * 16 + 16, eps[c][0]);
    }
    FlowKernel kernel = new MeanKernel();
    try (SplitSteps steps = new SplitSteps(kernel, split, 3, 0)) {
      double[] gradient = new double[1];
      double loss = steps.lossGradient(new double[1], all, gradient);
      double inOrder = ((0.0 + 16 * 1.0) + 16 * 1e16 + 16 * -1e16) / 48;
      double reversed = ((0.0 + 16 * -1e16) + 16 * 1e16 + 16 * 1.0) / 48;
      assertNotEquals(inOrder, reversed, "the values must tell the orders apart");
      assertEquals(inOrder, loss);
      assertEquals(inOrder, gradient[0]);
    }
  }

  /**
   * Steps that draw their own base draws (a helper drawing the next iteration's while the fit's
   * thread finishes a step) compute each iteration on that iteration's stream, whichever thread
   * drew it: the same bits as the step given the stream's draws, on one thread and on several.
   */
  @Test
  void stepsDrawEachIterationsOwnStream() {
    StepSplit split = new StepSplit(40, 16);
    FlowKernel kernel = new SumKernel();
    for (int threads = 1; threads <= 3; threads++) {
      try (SplitSteps drawing = new SplitSteps(kernel, split, threads, 7);
          SplitSteps given = new SplitSteps(kernel, split, 1, 0)) {
        for (int i = 0; i < 300; i++) {
          double[] eps = new double[40];
          Draws.normals(7, i, eps, eps.length);
          double[] expected = new double[1];
          double[] actual = new double[1];
          double loss = given.lossGradient(new double[1], eps, expected);
          assertEquals(loss, drawing.lossGradient(new double[1], i, actual), threads + " threads, iteration " + i);
          assertArrayEquals(expected, actual);
          assertArrayEquals(eps, drawing.draws(i));
        }
      }
    }
  }

  /** A fit whose steps split gives the same bits on 1, 2, 3 and 4 threads, with chunks of unequal sizes too. */
  @Test
  void splitFitsAreTheSameBitsOnAnyNumberOfThreads() {
    Nfvi plain = locScale();
    for (int nmc : new int[] {48, 40}) {
      Nfvi.Settings settings = new Nfvi.Settings(200, Optimizers.byName("adam", 0.05), nmc, 1.0, 11,
          Nfvi.Settings.NO_CLIPPING, List.of());
      Fit unsplit = plain.fit(settings);
      Fit first = null;
      for (int threads = 1; threads <= 4; threads++) {
        Fit fit = plain.withSplitSteps(n -> new StepSplit(n, 16), threads).fit(settings);
        assertEquals(Fit.Status.FINISHED, fit.status());
        if (first == null) {
          first = fit;
          // the same fit but for rounding: the weights n_c / nmc of the chunk means are right
          assertEquals(unsplit.history()[0], fit.history()[0], 1e-12 * Math.abs(unsplit.history()[0]));
          for (int k = 0; k < 4; k++) {
            assertEquals(unsplit.parameters()[k], fit.parameters()[k], 1e-9);
          }
        } else {
          assertArrayEquals(first.parameters(), fit.parameters(), threads + " threads, nmc " + nmc);
          assertArrayEquals(first.history(), fit.history(), threads + " threads, nmc " + nmc);
        }
      }
    }
  }

  @Test
  void withoutASplitTheFitIsTheUnsplitOne() {
    Nfvi plain = locScale();
    Nfvi.Settings settings = new Nfvi.Settings(50, Optimizers.byName("adam", 0.05), 10, 1.0, 3,
        Nfvi.Settings.NO_CLIPPING, List.of());
    Fit unsplit = plain.fit(settings);
    Fit fit = plain.withThreads(W1, 4).fit(settings);
    assertArrayEquals(unsplit.parameters(), fit.parameters());
    assertArrayEquals(unsplit.history(), fit.history());
  }

  @Test
  void aChunkThatFailsFailsTheStep() {
    FlowKernel failing = new MeanKernel() {
      @Override
      public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] workspace) {
        if (eps[0] < 0) {
          throw new IllegalStateException("chunk with a negative draw");
        }
        return super.lossGradient(theta, eps, draws, gradient, workspace);
      }
    };
    double[] all = new double[32];
    all[16] = -1;
    try (SplitSteps steps = new SplitSteps(failing, new StepSplit(32, 16), 2, 0)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> steps.lossGradient(new double[1], all, new double[1]));
      assertEquals("chunk with a negative draw", e.getMessage());
      // the crew survives a failed job
      all[16] = 1;
      assertEquals(1.0 / 32, steps.lossGradient(new double[1], all, new double[1]));
    }
  }

  @Test
  void splitsNeedAtLeastOneThreadAndAllRows() {
    Nfvi plain = locScale();
    assertThrows(IllegalArgumentException.class, () -> plain.withThreads(W1, 0));
    Nfvi.Settings settings = new Nfvi.Settings(1, Optimizers.byName("adam", 0.05), 10, 1.0, 3,
        Nfvi.Settings.NO_CLIPPING, List.of());
    assertThrows(IllegalArgumentException.class, () -> plain.withSplitSteps(n -> new StepSplit(20, 16), 2).fit(settings));
    assertSame(plain.layout(), plain.withThreads(W1, 2).layout());
  }

  /** One-dimensional: the loss and gradient are the mean of the draws, summed in draw order. */
  private static class MeanKernel implements FlowKernel {
    @Override
    public int dimension() {
      return 1;
    }

    @Override
    public int parameterCount() {
      return 1;
    }

    @Override
    public int workspaceSize() {
      return 1;
    }

    @Override
    public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] workspace) {
      workspace[0] = 0;
      for (int s = 0; s < draws; s++) {
        workspace[0] += eps[s];
      }
      gradient[0] = workspace[0] / draws;
      return gradient[0];
    }

    @Override
    public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] workspace) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * One-dimensional: a loss of every draw's bits (a sum of each draw times its place), so that a
   * draw that is not its stream's, or lies elsewhere, changes it.
   */
  private static final class SumKernel extends MeanKernel {
    @Override
    public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] workspace) {
      double sum = 0;
      for (int s = 0; s < draws; s++) {
        sum += (s + 1) * eps[s];
      }
      gradient[0] = sum * sum;
      return sum;
    }
  }

  /**
   * z = mu + exp(s) eps on a standard normal target in two dimensions; the loss per draw is
   * log q - log p = -sum(s) - |eps|^2 / 2 + |z|^2 / 2 (constants dropped), its sums over draws kept
   * in the workspace as a compiled kernel keeps them.
   */
  private static Nfvi locScale() {
    FlowKernel kernel = new FlowKernel() {
      @Override
      public int dimension() {
        return 2;
      }

      @Override
      public int parameterCount() {
        return 4;
      }

      @Override
      public int workspaceSize() {
        return 5;
      }

      @Override
      public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] w) {
        java.util.Arrays.fill(w, 0);
        for (int s = 0; s < draws; s++) {
          double loss = 0;
          for (int i = 0; i < 2; i++) {
            double scale = Math.exp(theta[2 + i]);
            double e = eps[2 * s + i];
            double z = theta[i] + scale * e;
            loss += -theta[2 + i] - e * e / 2 + z * z / 2;
            w[1 + i] += z;
            w[3 + i] += z * scale * e - 1;
          }
          w[0] += loss;
        }
        for (int k = 0; k < 4; k++) {
          gradient[k] = w[1 + k] / draws;
        }
        return w[0] / draws;
      }

      @Override
      public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] workspace) {
        throw new UnsupportedOperationException();
      }
    };
    LogDensity normal = new LogDensity() {
      @Override
      public int dimension() {
        return 2;
      }

      @Override
      public int workspaceSize() {
        return 0;
      }

      @Override
      public double logDensity(double[] z, double[] workspace) {
        return -(z[0] * z[0] + z[1] * z[1]) / 2;
      }

      @Override
      public double logDensityGradient(double[] z, double[] gradient, double[] workspace) {
        gradient[0] = -z[0];
        gradient[1] = -z[1];
        return logDensity(z, workspace);
      }
    };
    return new Nfvi(kernel, normal, FlowFormulas.layout("scale-loc", 2));
  }
}
