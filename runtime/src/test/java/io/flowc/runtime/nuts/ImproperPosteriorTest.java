package io.flowc.runtime.nuts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.LogDensity;
import org.junit.jupiter.api.Test;

/**
 * Posteriors without finite mass: chains that run off to infinity fail with the draws kept
 * before, finite runaways are found in the draws, and a proper heavy-tailed posterior is neither.
 */
class ImproperPosteriorTest {
  /** {@code potential 0*z[0]} over two elements: flat, and blind to z[1] entirely. */
  private static final LogDensity FLAT = new LogDensity() {
    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public int workspaceSize() {
      return 0;
    }

    @Override
    public double logDensity(double[] z, double[] w) {
      return 0 * z[0];
    }

    @Override
    public double logDensityGradient(double[] z, double[] g, double[] w) {
      g[0] = 0;
      g[1] = 0;
      return 0 * z[0];
    }
  };

  /** A standard Cauchy: proper, with tails heavy enough to put draws in the thousands. */
  private static final LogDensity CAUCHY = new LogDensity() {
    @Override
    public int dimension() {
      return 1;
    }

    @Override
    public int workspaceSize() {
      return 0;
    }

    @Override
    public double logDensity(double[] z, double[] w) {
      return -Math.log1p(z[0] * z[0]);
    }

    @Override
    public double logDensityGradient(double[] z, double[] g, double[] w) {
      g[0] = -2 * z[0] / (1 + z[0] * z[0]);
      return -Math.log1p(z[0] * z[0]);
    }
  };

  private static NutsSettings settings(int threads) {
    return NutsSettings.defaults().withChains(2).withThreads(threads).withSeed(1);
  }

  @Test
  void aFlatPosteriorFailsWithTheDrawsBeforeTheFailure() {
    ImproperPosteriorException e = assertThrows(ImproperPosteriorException.class, () -> Nuts.sample(FLAT, settings(2)));
    assertTrue(e.getMessage().startsWith("the posterior looks improper: chain " + e.chain() + " ran off to infinity"),
        e.getMessage());
    assertTrue(Double.isNaN(e.value()) || Double.isInfinite(e.value()), "value " + e.value());
    assertEquals(2, e.drawsBefore().length);
    assertEquals(2, e.statsBefore().size());
    for (int c = 0; c < 2; c++) {
      assertEquals(e.drawsBefore()[c].length, e.statsBefore().get(c).draws());
    }
    for (double[][] chain : e.drawsBefore()) {
      assertTrue(chain.length <= 1000);
      for (double[] draw : chain) {
        assertEquals(-1, NutsChain.firstNonFinite(draw));
      }
    }
    // the chains run to their own ends, so what was sampled does not depend on the threads
    ImproperPosteriorException sequential = assertThrows(ImproperPosteriorException.class,
        () -> Nuts.sample(FLAT, settings(1)));
    assertEquals(e.getMessage(), sequential.getMessage());
    for (int c = 0; c < 2; c++) {
      assertEquals(e.drawsBefore()[c].length, sequential.drawsBefore()[c].length);
      for (int i = 0; i < e.drawsBefore()[c].length; i++) {
        assertArrayEquals(e.drawsBefore()[c][i], sequential.drawsBefore()[c][i]);
      }
    }
  }

  @Test
  void aShortRunOnAFlatPosteriorRunsAwayWithoutOverflowing() {
    NutsResult r = Nuts.sample(FLAT, settings(2).withTune(20).withDraws(20));
    assertNotNull(RunawayDraws.find(r.draws(), r.draws()));
  }

  @Test
  void aCauchyPosteriorIsProper() {
    for (long seed = 0; seed < 4; seed++) {
      NutsResult r = Nuts.sample(CAUCHY, NutsSettings.defaults().withChains(4).withThreads(2).withSeed(seed));
      assertNull(RunawayDraws.find(r.draws(), r.draws()), "seed " + seed);
    }
  }

  @Test
  void runawaysAreLargeUnconstrainedOrOverflowingConstrainedDraws() {
    double[][][] small = {{{0.5, -3}, {1e6, 2}}, {{-1e19, 0}}};
    assertNull(RunawayDraws.find(small, small));
    double[][][] large = {{{0.5, -3}, {1e6, 2}}, {{-1e19, -2e20}}};
    assertEquals(new RunawayDraws.Element(1, -2e20), RunawayDraws.find(large, large));
    // exp(800) on the constrained scale is clamped to the largest double
    double[][][] u = {{{800, 1}}};
    double[][][] x = {{{Double.MAX_VALUE, 1}}};
    assertEquals(new RunawayDraws.Element(0, Double.MAX_VALUE), RunawayDraws.find(u, x));
    assertNull(RunawayDraws.find(new double[2][0][], new double[2][0][]));
  }
}
