package io.flowc.runtime.nuts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.LogDensity;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * NUTS on independent Gaussians, where every answer is known: moments, the adapted step size and
 * mass matrix, determinism, and no allocation in the trajectory loop. Fixed seeds; tolerances are
 * several Monte Carlo standard errors (NUTS on a Gaussian gives roughly one effective draw per
 * draw, and the tolerances allow for three times fewer).
 */
class NutsSamplerTest {
  private static final Gaussian SCALED = new Gaussian(new double[] {3, -1, 0, 10}, new double[] {0.1, 1, 5, 20});

  private static NutsSettings settings(int draws, int tune, int chains) {
    return NutsSettings.defaults().withDraws(draws).withTune(tune).withChains(chains).withThreads(2).withSeed(11);
  }

  @Test
  void momentsOfAScaledGaussian() {
    NutsResult r = Nuts.sample(SCALED, settings(2000, 1000, 4));
    assertEquals(4, r.chains());
    assertEquals(2000, r.draws()[0].length);
    int total = 4 * 2000;
    for (int k = 0; k < 4; k++) {
      double[][] x = r.element(k);
      double mean = 0;
      double sq = 0;
      for (double[] chain : x) {
        for (double v : chain) {
          mean += v;
        }
      }
      mean /= total;
      for (double[] chain : x) {
        for (double v : chain) {
          sq += (v - mean) * (v - mean);
        }
      }
      double sd = SCALED.sd(k);
      double variance = sq / (total - 1);
      double essFloor = total / 3.0;
      // se(mean) = sd / sqrt(ess); se(variance) = sd^2 sqrt(2 / ess)
      assertEquals(SCALED.mean(k), mean, 4 * sd / Math.sqrt(essFloor), "mean of element " + k);
      assertEquals(sd * sd, variance, 4 * sd * sd * Math.sqrt(2 / essFloor), "variance of element " + k);
    }
    assertEquals(0, r.divergences());
  }

  /** The adapted inverse mass matrix is the target's variance (within window noise). */
  @Test
  void massMatrixLearnsTheVariances() {
    NutsResult r = Nuts.sample(SCALED, settings(10, 1000, 2));
    for (ChainStats s : r.chainStats()) {
      for (int k = 0; k < 4; k++) {
        double ratio = s.inverseMassDiagonal()[k] / (SCALED.sd(k) * SCALED.sd(k));
        assertTrue(ratio > 0.6 && ratio < 1.6, "element " + k + ": inverse mass / variance = " + ratio);
      }
    }
  }

  /**
   * Dual averaging brings the mean acceptance statistic after tuning to the target. (Low targets
   * are met less closely: the averaged step used after tuning is a little smaller than the
   * adapted ones, and at 0.65 a 10-d normal gets 0.72, as in Stan.)
   */
  @Test
  void stepSizeAdaptationReachesTheTarget() {
    for (double target : new double[] {0.8, 0.9, 0.95}) {
      NutsResult r = Nuts.sample(Gaussian.standard(10), settings(1000, 1000, 2).withTargetAccept(target));
      for (ChainStats s : r.chainStats()) {
        assertEquals(target, s.meanAcceptance(), 0.03, "target " + target);
        assertTrue(SamplerReport.chainWarnings(s, target).isEmpty(), SamplerReport.chainWarnings(s, target).toString());
      }
    }
    // a higher target means smaller steps and longer trajectories
    double low = Nuts.sample(Gaussian.standard(10), settings(200, 500, 1).withTargetAccept(0.6)).chainStats().get(0)
        .finalStepSize();
    double high = Nuts.sample(Gaussian.standard(10), settings(200, 500, 1).withTargetAccept(0.95)).chainStats().get(0)
        .finalStepSize();
    assertTrue(high < 0.8 * low, "step sizes " + low + " (0.6) and " + high + " (0.95)");
  }

  @Test
  void sameSeedSameDrawsWhateverTheThreads() {
    NutsSettings s = settings(300, 200, 3);
    NutsResult one = Nuts.sample(SCALED, s.withThreads(1));
    NutsResult three = Nuts.sample(SCALED, s.withThreads(3));
    NutsResult two = Nuts.sample(SCALED, s.withThreads(2));
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 300; i++) {
        assertArrayEquals(one.draws()[c][i], three.draws()[c][i]);
        assertArrayEquals(one.draws()[c][i], two.draws()[c][i]);
      }
      assertArrayEquals(one.chainStats().get(c).stepSize(), three.chainStats().get(c).stepSize());
    }
    NutsResult other = Nuts.sample(SCALED, s.withSeed(12).withThreads(1));
    assertTrue(other.draws()[0][0][0] != one.draws()[0][0][0]);
    // chains are independent streams: chain 0 and chain 1 differ
    assertTrue(one.draws()[0][299][1] != one.draws()[1][299][1]);
  }

  @Test
  void statisticsAreRecordedPerDraw() {
    AtomicInteger calls = new AtomicInteger();
    NutsResult r = Nuts.sample(Gaussian.standard(3), settings(100, 50, 2), (chain, iteration) -> calls.incrementAndGet());
    assertEquals(2 * 150, calls.get());
    long steps = 0;
    int chain = 0;
    for (ChainStats s : r.chainStats()) {
      assertEquals(100, s.draws());
      for (int i = 0; i < 100; i++) {
        assertTrue(s.treeDepth()[i] >= 1 && s.treeDepth()[i] <= 10);
        // a trajectory of depth j that ended normally has 2^j - 1 leapfrog steps; one stopped
        // by a subtree's U-turn has fewer than 2^j
        assertTrue(s.leapfrogSteps()[i] >= s.treeDepth()[i] && s.leapfrogSteps()[i] < (1 << s.treeDepth()[i]));
        assertTrue(s.meanTreeAccept()[i] >= 0 && s.meanTreeAccept()[i] <= 1);
        assertTrue(Double.isFinite(s.energy()[i]));
        // lp is the density at the draw itself, and the energy adds a kinetic energy >= 0 to -lp
        assertEquals(-0.5 * dot(r.draws()[chain][i], r.draws()[chain][i]), s.logDensity()[i], 1e-12);
        assertTrue(s.energy()[i] >= -s.logDensity()[i]);
        steps += s.leapfrogSteps()[i];
      }
      assertTrue(s.gradientEvaluations() > s.tuningGradientEvaluations());
      assertTrue(s.tuningSeconds() >= 0 && s.tuningSeconds() <= s.seconds());
      chain++;
    }
    long sampled = r.gradientEvaluations() - r.chainStats().stream().mapToLong(ChainStats::tuningGradientEvaluations).sum();
    assertEquals(steps, sampled);
  }

  @Test
  void givenStartsAreUsed() {
    // a 1-d target split by a barrier of 40 nats: each chain stays on the side it starts on
    LogDensity twoWells = new LogDensity() {
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
        double u = z[0] * z[0] - 9;
        return -u * u / 2;
      }

      @Override
      public double logDensityGradient(double[] z, double[] g, double[] w) {
        double u = z[0] * z[0] - 9;
        g[0] = -2 * u * z[0];
        return -u * u / 2;
      }
    };
    NutsResult r = Nuts.sample(twoWells, settings(200, 200, 2).withStarts(new double[] {-3}, new double[] {3}));
    for (double[] d : r.draws()[0]) {
      assertTrue(d[0] < 0);
    }
    for (double[] d : r.draws()[1]) {
      assertTrue(d[0] > 0);
    }
    NutsResult same = Nuts.sample(twoWells, settings(50, 50, 3).withStarts(new double[] {3}));
    for (double[][] chain : same.draws()) {
      assertTrue(chain[49][0] > 0);
    }
  }

  @Test
  void jitteredStartsAreWithinOneOfTheOrigin() {
    double[][] starts = Nuts.jitteredStarts(3, 4, 50);
    double min = 1;
    double max = -1;
    for (double[] s : starts) {
      for (double v : s) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    assertTrue(min >= -1 && min < -0.9 && max < 1 && max > 0.9, min + " " + max);
    assertArrayEquals(starts[2], Nuts.jitteredStarts(3, 4, 50)[2]);
  }

  @Test
  void aStartOutsideTheSupportIsRefused() {
    LogDensity halfLine = new LogDensity() {
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
        return Math.log(z[0]) - z[0];
      }

      @Override
      public double logDensityGradient(double[] z, double[] g, double[] w) {
        g[0] = 1 / z[0] - 1;
        return Math.log(z[0]) - z[0];
      }
    };
    SamplingException e = assertThrows(SamplingException.class,
        () -> Nuts.sample(halfLine, settings(10, 10, 2).withStarts(new double[] {-1})));
    assertTrue(e.getMessage().contains("bad initial energy"), e.getMessage());
    // from a good start, leaving the support is a divergence, not a failure
    NutsResult r = Nuts.sample(halfLine, settings(500, 500, 1).withStarts(new double[] {1}));
    for (double[] d : r.draws()[0]) {
      assertTrue(d[0] > 0);
    }
  }

  @Test
  void badSettingsAreRefused() {
    NutsSettings d = NutsSettings.defaults();
    assertThrows(IllegalArgumentException.class, () -> d.withTargetAccept(1));
    assertThrows(IllegalArgumentException.class, () -> d.withChains(0));
    assertThrows(IllegalArgumentException.class, () -> d.withMaxTreeDepth(0));
    assertThrows(IllegalArgumentException.class, () -> d.withChains(3).withStarts(new double[1], new double[1]));
    assertEquals(1000, d.draws());
    assertEquals(1000, d.tune());
    assertEquals(0.8, d.targetAccept());
    assertEquals(10, d.maxTreeDepth());
    assertEquals(8, d.earlyMaxTreeDepth());
    assertEquals(3, d.withMaxTreeDepth(3).earlyMaxTreeDepth());
  }

  /** The trajectory loop allocates nothing once the chain's storage exists. */
  @Test
  void transitionsDoNotAllocate() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    int n = 20;
    double[] inverseMass = Gaussian.filled(n, 1);
    Hamiltonian h = new Hamiltonian(Gaussian.standard(n), inverseMass);
    SplittableRandom random = new SplittableRandom(1);
    Trajectory t = new Trajectory(h, random, 10);
    PhaseState s = new PhaseState(n);
    h.evaluatePosition(s);
    long allocated = Long.MAX_VALUE;
    for (int round = 0; round < 20 && allocated > 0; round++) {
      long before = threads.getThreadAllocatedBytes(thread);
      for (int k = 0; k < 2000; k++) {
        for (int i = 0; i < n; i++) {
          s.p[i] = random.nextGaussian();
        }
        h.updateKinetic(s);
        t.transition(s, 0.3, 10);
        t.copyProposal(s);
      }
      allocated = threads.getThreadAllocatedBytes(thread) - before;
    }
    assertEquals(0, allocated, "bytes allocated by 2000 transitions");
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
