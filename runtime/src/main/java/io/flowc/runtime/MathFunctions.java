package io.flowc.runtime;

import org.apache.commons.numbers.gamma.Erf;
import org.apache.commons.numbers.gamma.Erfc;
import org.apache.commons.numbers.gamma.LogGamma;

/**
 * The model language's scalar functions that {@link Math} lacks, as the interpreter and the
 * generated code both call them. Each is written to stay finite wherever its value is
 * representable (a naive {@code log(1 + exp(x))} overflows at x = 710).
 */
public final class MathFunctions {
  private MathFunctions() {}

  public static double square(double x) {
    return x * x;
  }

  /** 1 / (1 + exp(-x)), without overflow for large |x|. */
  public static double sigmoid(double x) {
    if (x >= 0) {
      return 1.0 / (1.0 + Math.exp(-x));
    }
    double ex = Math.exp(x);
    return ex / (1.0 + ex);
  }

  /** log(p / (1 - p)). */
  public static double logit(double p) {
    return Math.log(p) - Math.log1p(-p);
  }

  /** log(1 + exp(x)). */
  public static double softplus(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** log(exp(a) + exp(b)). */
  public static double logaddexp(double a, double b) {
    double m = Math.max(a, b);
    if (Double.isInfinite(m)) {
      return m;
    }
    return m + Math.log1p(Math.exp(-Math.abs(a - b)));
  }

  /** log(sum_i exp(v[i])). */
  public static double logsumexp(double[] v) {
    double m = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      if (Double.isNaN(x)) {
        return x;
      }
      m = Math.max(m, x);
    }
    if (Double.isInfinite(m)) {
      return m;
    }
    double s = 0;
    for (double x : v) {
      s += Math.exp(x - m);
    }
    return m + Math.log(s);
  }

  public static double erf(double x) {
    return Erf.value(x);
  }

  public static double erfc(double x) {
    return Erfc.value(x);
  }

  /** log |Gamma(x)|; +infinity at the poles 0, -1, -2, ... (as C's lgamma). */
  public static double lgamma(double x) {
    if (x <= 0 && x == Math.rint(x)) {
      return Double.POSITIVE_INFINITY;
    }
    return LogGamma.value(x);
  }
}
