package io.flowc.runtime;

import org.apache.commons.numbers.gamma.Digamma;
import org.apache.commons.numbers.gamma.Erf;
import org.apache.commons.numbers.gamma.Erfc;

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

  /**
   * tanh(x). HotSpot's Math.tanh is not an intrinsic and costs several times an exp, and planar
   * flows spend most of their time in tanh. Away from 0 the exp form (1 - e) / (1 + e),
   * e = exp(-2|x|), stays within 4 ulps of it (1 - e loses no digits for e <= exp(-1.25)); near 0,
   * where that form cancels, Cephes' rational minimax approximation on |x| <= 0.625 (within 2 ulps
   * of Math.tanh). Computed on |x| and signed at the end so that tanh(-0) = -0. No branch for
   * large |x|: from |x| > 19.1, e < 2^-54, so 1 - e and 1 + e round to 1 and the quotient is 1
   * exactly (e = 0 for infinite x). A branch there would be one C2 compiles as a trap where a
   * profile has not seen it taken, and a flow whose tanh first grows beyond it late in a fit would
   * throw away the compiled kernel method that inlined it.
   */
  public static double tanh(double x) {
    double a = Math.abs(x);
    if (!(a >= 0.625)) { // small, or NaN
      double s = a * a;
      double p = (-9.64399179425052238628E-1 * s - 9.92877231001918586564E1) * s - 1.61468768441708447952E3;
      double q = ((s + 1.12811678491632931402E2) * s + 2.23548839060100448583E3) * s + 4.84406305325125486048E3;
      return Math.copySign(a + a * s * (p / q), x);
    }
    double e = Math.exp(-2 * a);
    return Math.copySign((1 - e) / (1 + e), x);
  }

  /**
   * 1 / (1 + exp(-x)), without overflow for large |x|: 1 / (1 + e) for x >= 0 and e / (1 + e)
   * below, e = exp(-|x|). One exp on either side and a select rather than a branch: a logistic
   * regression's rows fall on both sides at random, and a mispredicted branch per row cost more
   * than the division.
   */
  public static double sigmoid(double x) {
    double e = Math.exp(-Math.abs(x));
    return (x >= 0 ? 1.0 : e) / (1.0 + e);
  }

  /** log(p / (1 - p)). */
  public static double logit(double p) {
    return Math.log(p) - log1p(-p);
  }

  /**
   * log(1 + x), the bits of {@link Math#log1p} (fdlibm's), computed in Java: on Java 17 Math.log1p
   * is a native call HotSpot cannot inline (see {@link Log1p}).
   */
  public static double log1p(double x) {
    return Log1p.log1p(x);
  }

  /** log(1 + exp(x)). */
  public static double softplus(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    return Math.max(x, 0.0) + log1p(Math.exp(-Math.abs(x)));
  }

  /** log(exp(a) + exp(b)). */
  public static double logaddexp(double a, double b) {
    double m = Math.max(a, b);
    if (Double.isInfinite(m)) {
      return m;
    }
    return m + log1p(Math.exp(-Math.abs(a - b)));
  }

  /** log(sum_i exp(v[i])). */
  public static double logsumexp(double[] v) {
    return logsumexp(v, 0, v.length);
  }

  /** log(sum_i exp(v[offset + i])) for i < length. */
  public static double logsumexp(double[] v, int offset, int length) {
    return logsumexp(v, offset, length, 1);
  }

  /**
   * log(sum_i exp(v[offset + i * stride])) for i < length: a vector whose elements lie
   * {@code stride} apart (one draw's vector in a batch-major body lies across the block's rows).
   */
  public static double logsumexp(double[] v, int offset, int length, int stride) {
    double m = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < length; i++) {
      double x = v[offset + i * stride];
      if (Double.isNaN(x)) {
        return x;
      }
      m = Math.max(m, x);
    }
    if (Double.isInfinite(m)) {
      return m;
    }
    double s = 0;
    for (int i = 0; i < length; i++) {
      s += Math.exp(v[offset + i * stride] - m);
    }
    return m + Math.log(s);
  }

  /**
   * erf and erfc delegate to Commons Numbers (Boost's algorithm). Their temporaries are removed
   * by C2's escape analysis, so compiled code allocates nothing; interpreted or C1 code does.
   */
  public static double erf(double x) {
    return Erf.value(x);
  }

  public static double erfc(double x) {
    return Erfc.value(x);
  }

  /** Bernoulli numbers B_2, B_4, ..., B_16 for the asymptotic series of the polygamma functions. */
  private static final double[] BERNOULLI_EVEN = {
    1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6, -3617.0 / 510
  };

  private static final double EULER_GAMMA = 0.5772156649015329;
  private static final double HALF_LOG_TWO_PI = 0.9189385332046728;
  /** zeta(k) - 1 for k = 2 .. 39, for the series of lgamma around 1. */
  private static final double[] ZETA_MINUS_ONE = new double[40];

  static {
    for (int k = 2; k < ZETA_MINUS_ONE.length; k++) {
      ZETA_MINUS_ONE[k] = zetaMinusOne(k);
    }
  }

  /**
   * log |Gamma(x)|; +infinity at the poles 0, -1, -2, ... (as C's lgamma). Written here rather
   * than taken from a library because it must not allocate (generated code calls it in hot
   * loops): a series around 1 (and 2, by the recurrence) keeps full relative accuracy near the
   * zeros at 1 and 2, Stirling's series serves x >= 10, the recurrence bridges the gap, and the
   * reflection formula covers negative x.
   */
  public static double lgamma(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    if ((x <= 0 && x == Math.rint(x)) || x == Double.POSITIVE_INFINITY) {
      return Double.POSITIVE_INFINITY;
    }
    if (x < 0) {
      // Gamma(x) Gamma(1 - x) = pi / sin(pi x); reduce x mod 2 first so sin(pi r) stays exact-ish
      double r = x - 2 * Math.floor(x / 2);
      return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * r))) - lgamma(1 - x);
    }
    if (x < 0.5) {
      return lgammaNearOne(x) - Math.log(x); // Gamma(x) = Gamma(1 + x) / x
    }
    if (x < 1.5) {
      return lgammaNearOne(x - 1);
    }
    if (x < 2.5) {
      return Math.log(x - 1) + lgammaNearOne(x - 2);
    }
    if (x < 10) {
      double product = 1;
      while (x < 10) {
        product *= x;
        x += 1;
      }
      return stirling(x) - Math.log(product);
    }
    return stirling(x);
  }

  /** lgamma(1 + e) for |e| <= 1/2: -gamma e + (e - log1p(e)) + sum (-1)^k (zeta(k) - 1) e^k / k. */
  private static double lgammaNearOne(double e) {
    double sum = 0;
    double power = e * e;
    for (int k = 2; k < ZETA_MINUS_ONE.length; k++) {
      sum += ((k & 1) == 0 ? 1 : -1) * ZETA_MINUS_ONE[k] * power / k;
      power *= e;
    }
    return -EULER_GAMMA * e + (e - log1p(e)) + sum;
  }

  /** Stirling's series for x >= 10, where its first seven corrections reach double precision. */
  private static double stirling(double x) {
    double inverse = 1 / x;
    double inverseSquared = inverse * inverse;
    double series = 0;
    double power = inverse;
    for (int k = 1; k <= 7; k++) {
      series += BERNOULLI_EVEN[k - 1] / (2 * k * (2 * k - 1)) * power;
      power *= inverseSquared;
    }
    return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + series;
  }

  /** zeta(s) - 1 by Euler-Maclaurin summation from n = 10 (exact to double precision for s >= 2). */
  private static double zetaMinusOne(int s) {
    int n = 10;
    double sum = 0;
    for (int k = 2; k < n; k++) {
      sum += Math.pow(k, -s);
    }
    double tail = Math.pow(n, -s);
    sum += n * tail / (s - 1) + tail / 2;
    double rising = s;
    double factorial = 2;
    double power = tail / n;
    for (int j = 1; j <= BERNOULLI_EVEN.length; j++) {
      sum += BERNOULLI_EVEN[j - 1] / factorial * rising * power;
      rising *= (double) (s + 2 * j - 1) * (s + 2 * j);
      factorial *= (double) (2 * j + 1) * (2 * j + 2);
      power /= (double) n * n;
    }
    return sum;
  }


  /**
   * The polygamma function psi^(n)(x), the n-th derivative of the digamma function (n = 0 is
   * digamma, the derivative of lgamma). NaN at the poles 0, -1, -2, ...
   */
  public static double polygamma(int n, double x) {
    if (n < 0) {
      throw new IllegalArgumentException("polygamma order must be >= 0: " + n);
    }
    if (x <= 0 && x == Math.rint(x)) {
      return Double.NaN;
    }
    if (n == 0) {
      return Digamma.value(x);
    }
    // psi^(n)(x) = psi^(n)(x + 1) - (-1)^n n! / x^(n+1): shift x to where the series converges.
    double sign = (n % 2 == 0) ? -1 : 1; // (-1)^(n+1)
    double factorial = 1;
    for (int k = 2; k <= n; k++) {
      factorial *= k;
    }
    double shift = 0;
    double threshold = 20 + n;
    while (x < threshold) {
      shift += sign * factorial / Math.pow(x, n + 1);
      x += 1;
    }
    // (-1)^(n+1) [ (n-1)!/x^n + n!/(2 x^(n+1)) + sum_k B_2k (2k+n-1)! / ((2k)! x^(2k+n)) ]
    double series = factorial / n / Math.pow(x, n) + factorial / (2 * Math.pow(x, n + 1));
    double ratio = factorial / n; // (2k+n-1)!/(2k)! for k = 0, advanced below
    for (int k = 1; k <= BERNOULLI_EVEN.length; k++) {
      ratio *= (double) (2 * k + n - 2) * (2 * k + n - 1) / ((2 * k - 1) * (2 * k));
      series += BERNOULLI_EVEN[k - 1] * ratio / Math.pow(x, 2 * k + n);
    }
    return sign * series + shift;
  }
}
