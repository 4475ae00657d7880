package io.flowc.runtime.calibration;

import org.apache.commons.numbers.gamma.RegularizedGamma;

/** The chi-square distribution's upper tail, for Pearson's test of a histogram against its expectation. */
public final class ChiSquare {
  private ChiSquare() {}

  /**
   * {@code P(X >= x)} for X chi-square with {@code df} degrees of freedom: the regularized upper
   * incomplete gamma function {@code Q(df / 2, x / 2)}. NaN for no degrees of freedom.
   */
  public static double survival(double x, int df) {
    if (df < 1 || Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x <= 0) {
      return 1;
    }
    return RegularizedGamma.Q.value(df / 2.0, x / 2);
  }

  /** Pearson's statistic {@code sum (observed - expected)^2 / expected}. */
  public static double statistic(int[] observed, double[] expected) {
    if (observed.length != expected.length) {
      throw new IllegalArgumentException(observed.length + " counts for " + expected.length + " expectations");
    }
    double x = 0;
    for (int b = 0; b < observed.length; b++) {
      double d = observed[b] - expected[b];
      x += d * d / expected[b];
    }
    return x;
  }
}
