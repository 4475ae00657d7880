package io.flowc.runtime.nuts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Step-size and mass-matrix adaptation against hand-computed PyMC3 updates. */
class AdaptationTest {
  @Test
  void dualAveragingFollowsPyMc3sRecursion() {
    double eps0 = 0.25;
    DualAveraging a = new DualAveraging(eps0, 0.8);
    assertEquals(eps0, a.current(true), 1e-15);
    a.update(0.5, true);
    // count 1: w = 1/11, hbar = 0.3/11, log eps = log(2.5) - hbar / 0.05, log eps-bar = log eps
    double hbar = 0.3 / 11;
    double logEps = Math.log(2.5) - hbar / 0.05;
    assertEquals(Math.exp(logEps), a.current(true), 1e-12);
    assertEquals(Math.exp(logEps), a.current(false), 1e-12);
    a.update(1.0, true);
    // count 2: w = 1/12
    hbar = (1 - 1.0 / 12) * hbar + (0.8 - 1.0) / 12;
    double logEps2 = Math.log(2.5) - hbar * Math.sqrt(2) / 0.05;
    double mk = Math.pow(2, -0.75);
    double logBar = mk * logEps2 + (1 - mk) * logEps;
    assertEquals(Math.exp(logEps2), a.current(true), 1e-12);
    assertEquals(Math.exp(logBar), a.current(false), 1e-12);
    a.update(0.0, false);
    assertEquals(Math.exp(logBar), a.current(false), 1e-12);
  }

  @Test
  void massMatrixStartsFromThePriorAndSwapsWindows() {
    double[] variance = new double[1];
    DiagonalMassAdaptation m = new DiagonalMassAdaptation(new double[] {0.5}, variance);
    assertArrayEquals(new double[] {1}, variance);
    m.update(new double[] {2.5}, true);
    // prior: mean 0.5, raw variance 10, weight 10; add 2.5: weight 11, mean 0.5 + 2/11
    double mean = 0.5 + 2.0 / 11;
    double raw = 10 + 2 * (2.5 - mean);
    assertEquals(raw / 11, variance[0], 1e-14);
    m.update(new double[] {100}, false);
    assertEquals(raw / 11, variance[0], 1e-14);

    // through the first window: samples 0..101 enter both estimates; at the update of sample 101 the
    // background (102 samples of x) replaces the foreground, which then has x's plain variance
    DiagonalMassAdaptation w = new DiagonalMassAdaptation(new double[] {0}, variance);
    double[] xs = new double[103];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = Math.sin(i) * 3;
    }
    for (int i = 0; i < 102; i++) {
      w.update(new double[] {xs[i]}, true);
    }
    w.update(new double[] {xs[102]}, true);
    double s = 0;
    double ss = 0;
    for (double x : xs) {
      s += x;
    }
    double mu = s / xs.length;
    for (double x : xs) {
      ss += (x - mu) * (x - mu);
    }
    assertEquals(ss / xs.length, variance[0], 1e-12);
  }
}
