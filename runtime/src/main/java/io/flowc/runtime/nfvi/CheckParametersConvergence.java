package io.flowc.runtime.nfvi;

/**
 * PyMC3's CheckParametersConvergence (spec section 7.2): every {@code every} iterations, compare
 * the parameters with those of the last check, elementwise, relative
 * ({@code (|x - x_prev| + 1e-6) / (|x_prev| + 1e-6)}) or absolute; stop when the norm of the
 * differences ({@code ord}: infinity for the largest, else the p-norm) is below the tolerance.
 * The first call only records the parameters, so the first comparison, at iteration
 * {@code every}, spans {@code every - 1} steps, as in PyMC3.
 */
public final class CheckParametersConvergence implements FitCallback {
  /** How parameter changes are measured. */
  public enum Diff {
    RELATIVE,
    ABSOLUTE
  }

  private final int every;
  private final double tolerance;
  private final Diff diff;
  private final double ord;
  private double[] previous;

  /** PyMC3's defaults: every 100, tolerance 1e-3, relative, infinity norm. */
  public CheckParametersConvergence() {
    this(100, 1e-3, Diff.RELATIVE, Double.POSITIVE_INFINITY);
  }

  public CheckParametersConvergence(int every, double tolerance, Diff diff, double ord) {
    if (every < 1 || !(tolerance > 0) || !(ord >= 1)) {
      throw new IllegalArgumentException("every >= 1, tolerance > 0 and ord >= 1 expected");
    }
    this.every = every;
    this.tolerance = tolerance;
    this.diff = diff;
    this.ord = ord;
  }

  @Override
  public String afterStep(FitProgress progress) {
    double[] x = progress.parameters();
    int i = progress.iteration();
    if (previous == null) {
      previous = x.clone();
      return null;
    }
    if (i % every != 0 || i < every) {
      return null;
    }
    double norm = norm(x);
    previous = x.clone();
    return norm < tolerance ? "Convergence achieved at " + i : null;
  }

  private double norm(double[] x) {
    double result = 0;
    for (int j = 0; j < x.length; j++) {
      double delta = Math.abs(x[j] - previous[j]);
      if (diff == Diff.RELATIVE) {
        delta = (delta + 1e-6) / (Math.abs(previous[j]) + 1e-6);
      }
      result = ord == Double.POSITIVE_INFINITY ? Math.max(result, delta) : result + Math.pow(delta, ord);
    }
    return ord == Double.POSITIVE_INFINITY ? result : Math.pow(result, 1 / ord);
  }
}
