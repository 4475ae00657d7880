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

  /** W1's and W7's bodies: 468 and 91,107 operations per draw (BatchMajor.operationsPerDraw). */
  @Test
  void theRuleSplitsLargeStepsIntoChunksOfAtLeastTwoMillionOperationsAndABlock() {
    assertNull(StepSplit.rule(468, 100), "W1 stays unsplit");
    assertNull(StepSplit.rule(0, 1 << 20), "a kernel of unknown cost stays unsplit");
    assertNull(StepSplit.rule(182_409, 1), "one draw cannot be split");
    StepSplit w7 = StepSplit.rule(91_107, 256);
    assertEquals(new StepSplit(256, 128), w7);
    assertEquals(2, w7.chunks());
    // the least draws making 2^21 operations, as a power of two: 2^21 / 468 = 4481.1 -> 8192
    assertEquals(8192, StepSplit.rule(468, 100_000).chunkDraws());
    assertEquals(4096, StepSplit.rule(512, 100_000).chunkDraws(), "exactly 2^21 in 4096 draws");
    // at least a block of 128 draws, however costly one is
    assertEquals(128, StepSplit.rule(10_000_000, 129).chunkDraws());
    assertNull(StepSplit.rule(10_000_000, 128), "one chunk is no split");
    for (int nmc = 1; nmc <= 600; nmc++) {
      StepSplit s = StepSplit.rule(91_107, nmc);
      if (s == null) {
        assertTrue(nmc <= 128, "unsplit at " + nmc);
        continue;
      }
      assertTrue(s.chunkDraws() * (long) 91_107 >= StepSplit.CHUNK_OPERATIONS);
      int covered = 0;
      for (int c = 0; c < s.chunks(); c++) {
        assertEquals(covered, s.start(c));
        assertTrue(s.draws(c) >= 1 && s.draws(c) <= s.chunkDraws());
        covered += s.draws(c);
      }
      assertEquals(nmc, covered);
    }
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
    try (SplitSteps steps = new SplitSteps(kernel, split, 3)) {
      double[] gradient = new double[1];
      double loss = steps.lossGradient(new double[1], all, gradient);
      double inOrder = ((0.0 + 16 * 1.0) + 16 * 1e16 + 16 * -1e16) / 48;
      double reversed = ((0.0 + 16 * -1e16) + 16 * 1e16 + 16 * 1.0) / 48;
      assertNotEquals(inOrder, reversed, "the values must tell the orders apart");
      assertEquals(inOrder, loss);
      assertEquals(inOrder, gradient[0]);
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
    Fit fit = plain.withThreads(468, 4).fit(settings);
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
    try (SplitSteps steps = new SplitSteps(failing, new StepSplit(32, 16), 2)) {
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
    assertThrows(IllegalArgumentException.class, () -> plain.withThreads(1000, 0));
    Nfvi.Settings settings = new Nfvi.Settings(1, Optimizers.byName("adam", 0.05), 10, 1.0, 3,
        Nfvi.Settings.NO_CLIPPING, List.of());
    assertThrows(IllegalArgumentException.class, () -> plain.withSplitSteps(n -> new StepSplit(20, 16), 2).fit(settings));
    assertSame(plain.layout(), plain.withThreads(1, 2).layout());
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
