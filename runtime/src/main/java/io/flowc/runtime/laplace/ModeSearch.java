package io.flowc.runtime.laplace;

import io.flowc.runtime.LogDensity;
import java.util.Locale;

/**
 * The mode of a model's unconstrained log density: L-BFGS (Nocedal and Wright, algorithm 7.4,
 * ten pairs) with a backtracking line search on U = -log p from z = 0, then damped Newton steps
 * with the Hessian by central differences until Newton's decrement says that no more than
 * 1e-10 nats are left to gain. Not finding one (the density rises without bound, an improper
 * posterior, a Hessian that is not positive definite at the end) is a {@link LaplaceException}.
 */
final class ModeSearch {
  private static final int MEMORY = 10;
  private static final int MAX_ITERATIONS = 2000;
  private static final int MAX_NEWTON_STEPS = 20;
  /** Nats left to gain (half Newton's decrement squared) at which the mode counts as found. */
  private static final double DECREMENT = 1e-10;
  /** A coordinate beyond this on the unconstrained scale means the density has no mode. */
  private static final double RUNAWAY = 1e8;
  private static final double ARMIJO = 1e-4;

  private final LogDensity model;
  private final double[] work;
  private final int d;
  private int evaluations;

  ModeSearch(LogDensity model) {
    this.model = model;
    this.d = model.dimension();
    this.work = new double[model.workspaceSize()];
  }

  int evaluations() {
    return evaluations;
  }

  /** U(x) = -log p(x) and its gradient into g. */
  double u(double[] x, double[] g) {
    evaluations++;
    double logp = model.logDensityGradient(x, g, work);
    for (int i = 0; i < d; i++) {
      g[i] = -g[i];
    }
    return -logp;
  }

  /** The mode, from z = 0. */
  double[] find() {
    double[] x = new double[d];
    double[] g = new double[d];
    double f = u(x, g);
    if (!Double.isFinite(f) || !finite(g)) {
      throw new LaplaceException("no mode found: log p or its gradient is not finite at z = 0 (the unconstrained "
          + "start)");
    }
    f = quasiNewton(x, g, f);
    newton(x, g, f);
    return x;
  }

  /** L-BFGS until the step stops decreasing U; returns U at the point left in x (gradient in g). */
  private double quasiNewton(double[] x, double[] g, double f) {
    double[][] s = new double[MEMORY][d];
    double[][] y = new double[MEMORY][d];
    double[] rho = new double[MEMORY];
    double[] alpha = new double[MEMORY];
    double[] direction = new double[d];
    double[] trial = new double[d];
    double[] gTrial = new double[d];
    int stored = 0;
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      if (maxAbs(g) == 0) {
        return f;
      }
      // the two-loop recursion: direction = -H g
      System.arraycopy(g, 0, direction, 0, d);
      for (int k = stored - 1; k >= 0; k--) {
        alpha[k] = rho[k] * dot(s[k], direction);
        axpy(-alpha[k], y[k], direction);
      }
      double gamma = stored == 0 ? Math.min(1, 1 / maxAbs(g)) : dot(s[stored - 1], y[stored - 1])
          / dot(y[stored - 1], y[stored - 1]);
      for (int i = 0; i < d; i++) {
        direction[i] *= -gamma;
      }
      for (int k = 0; k < stored; k++) {
        double beta = rho[k] * dot(y[k], direction);
        // direction holds -r: r += (alpha - beta) s becomes direction -= (alpha + beta) s with beta from -r
        axpy(-(alpha[k] + beta), s[k], direction);
      }
      double slope = dot(g, direction);
      if (!(slope < 0)) {
        stored = 0;
        for (int i = 0; i < d; i++) {
          direction[i] = -g[i] * Math.min(1, 1 / maxAbs(g));
        }
        slope = dot(g, direction);
      }
      double step = 1;
      double fTrial = Double.NaN;
      boolean accepted = false;
      for (int halving = 0; halving < 60 && !accepted; halving++) {
        for (int i = 0; i < d; i++) {
          trial[i] = x[i] + step * direction[i];
        }
        fTrial = u(trial, gTrial);
        accepted = Double.isFinite(fTrial) && finite(gTrial) && fTrial <= f + ARMIJO * step * slope;
        step = accepted ? step : step / 2;
      }
      if (!accepted || fTrial >= f) {
        return f;
      }
      // progress at the level of rounding: Newton's steps finish from here
      boolean stalled = f - fTrial <= 1e-13 * Math.max(1, Math.abs(f));
      if (stored == MEMORY) {
        double[] s0 = s[0];
        double[] y0 = y[0];
        System.arraycopy(s, 1, s, 0, MEMORY - 1);
        System.arraycopy(y, 1, y, 0, MEMORY - 1);
        System.arraycopy(rho, 1, rho, 0, MEMORY - 1);
        s[MEMORY - 1] = s0;
        y[MEMORY - 1] = y0;
        stored--;
      }
      for (int i = 0; i < d; i++) {
        s[stored][i] = trial[i] - x[i];
        y[stored][i] = gTrial[i] - g[i];
      }
      double sy = dot(s[stored], y[stored]);
      if (sy > 1e-300) {
        rho[stored] = 1 / sy;
        stored++;
      }
      System.arraycopy(trial, 0, x, 0, d);
      System.arraycopy(gTrial, 0, g, 0, d);
      f = fTrial;
      checkRunaway(x);
      if (stalled) {
        return f;
      }
    }
    return f;
  }

  /**
   * Damped Newton steps from x until the decrement is below {@link #DECREMENT} and the step moves
   * no coordinate by more than 1e-10 of its size, or until no step decreases U at the precision of
   * its values; a density that keeps rising ever more gently (log p = -e^-z) has a small decrement
   * but Newton steps of constant length, and is refused.
   */
  private void newton(double[] x, double[] g, double f) {
    double[] trial = new double[d];
    double[] gTrial = new double[d];
    double left = Double.NaN;
    double moved = Double.NaN;
    for (int step = 0; step < MAX_NEWTON_STEPS; step++) {
      double[][] h = Hessians.centralDifferences(this, x);
      double[][] chol = Cholesky.factor(h);
      if (chol == null) {
        throw new LaplaceException(String.format(Locale.ROOT, "no mode found: the search stopped at a point where "
            + "the Hessian of -log p is not positive definite (log p = %.6g): the posterior may be improper or flat "
            + "along some direction", -f));
      }
      double[] direction = Cholesky.solve(chol, g);
      left = dot(g, direction) / 2;
      moved = 0;
      for (int i = 0; i < d; i++) {
        moved = Math.max(moved, Math.abs(direction[i]) / Math.max(1, Math.abs(x[i])));
      }
      if (left <= DECREMENT && moved <= 1e-10) {
        return;
      }
      double t = 1;
      boolean better = false;
      for (int halving = 0; halving < 40 && !better; halving++, t /= 2) {
        for (int i = 0; i < d; i++) {
          trial[i] = x[i] - t * direction[i];
        }
        double fTrial = u(trial, gTrial);
        if (Double.isFinite(fTrial) && finite(gTrial) && fTrial <= f - ARMIJO * t * 2 * left) {
          System.arraycopy(trial, 0, x, 0, d);
          System.arraycopy(gTrial, 0, g, 0, d);
          f = fTrial;
          better = true;
        }
      }
      checkRunaway(x);
      if (!better) {
        // no decrease left to find at the precision of log p: the mode, if Newton's decrement agrees
        if (left <= 1e-6) {
          return;
        }
        break;
      }
    }
    if (left <= 1e-6 && moved <= 1e-3) {
      return;
    }
    throw new LaplaceException(String.format(Locale.ROOT, "no mode found: after %d gradient evaluations log p "
        + "still rises along Newton's direction (by about %.3g, a step of %.3g relative to the coordinates; "
        + "log p = %.6g): an improper posterior, or one whose mode is at a bound", evaluations, left, moved, -f));
  }

  private void checkRunaway(double[] x) {
    int i = 0;
    while (i < d && Math.abs(x[i]) <= RUNAWAY) {
      i++;
    }
    if (i < d) {
      throw new LaplaceException(String.format(Locale.ROOT, "no mode found: log p keeps rising as element %d of "
          + "the unconstrained parameters runs off to %.3g (an improper posterior, or one whose mode is at a bound)",
          i, x[i]));
    }
  }

  static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += a * x[i];
    }
  }

  private static double maxAbs(double[] v) {
    double m = 0;
    for (double x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  private static boolean finite(double[] v) {
    for (double x : v) {
      if (!Double.isFinite(x)) {
        return false;
      }
    }
    return true;
  }
}
