package io.flowc.runtime.calibration;

import org.apache.commons.numbers.gamma.LogGamma;

/**
 * Both tails of a binomial distribution, tabulated for every count: the band of a rank histogram
 * and the ECDF test read many tail probabilities of the same distribution.
 */
final class Binomial {
  /** {@code below[c] = P(X <= c)}, {@code above[c] = P(X >= c)}, c = 0 .. n. */
  private final double[] below;
  private final double[] above;

  Binomial(int n, double p) {
    if (n < 0 || !(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("binomial needs n >= 0 and p in [0, 1], got " + n + " and " + p);
    }
    double[] pmf = new double[n + 1];
    if (p == 0 || p == 1) {
      pmf[p == 0 ? 0 : n] = 1;
    } else {
      double logN = LogGamma.value(n + 1.0);
      double logP = Math.log(p);
      double logQ = Math.log1p(-p);
      for (int c = 0; c <= n; c++) {
        pmf[c] = Math.exp(logN - LogGamma.value(c + 1.0) - LogGamma.value(n - c + 1.0) + c * logP + (n - c) * logQ);
      }
    }
    // each tail summed from its own end, so that small tail probabilities keep their digits
    below = new double[n + 1];
    above = new double[n + 1];
    double sum = 0;
    for (int c = 0; c <= n; c++) {
      sum += pmf[c];
      below[c] = Math.min(1, sum);
    }
    sum = 0;
    for (int c = n; c >= 0; c--) {
      sum += pmf[c];
      above[c] = Math.min(1, sum);
    }
  }

  /** {@code P(X <= c)}. */
  double below(int c) {
    return c < 0 ? 0 : c >= below.length ? 1 : below[c];
  }

  /** {@code P(X >= c)}. */
  double above(int c) {
    return c <= 0 ? 1 : c >= above.length ? 0 : above[c];
  }

  /** The smallest c with {@code P(X <= c) >= q}: R's {@code qbinom(q, n, p)}. */
  int quantile(double q) {
    for (int c = 0; c < below.length; c++) {
      if (below[c] >= q * (1 - 1e-12)) {
        return c;
      }
    }
    return below.length - 1;
  }

  /** Twice the smaller tail probability at c: small when c is unusual in either direction. */
  double twoSided(int c) {
    return Math.min(1, 2 * Math.min(below(c), above(c)));
  }
}
