package io.flowc.runtime.random;

import io.flowc.runtime.MathFunctions;
import java.util.SplittableRandom;

/**
 * Random variates of the model language's distributions, each drawn from a caller's
 * {@link SplittableRandom} so that a seed fixes every draw. The transforms use {@link StrictMath},
 * whose results do not depend on the JIT's intrinsics.
 *
 * <p>Parameters follow Stan's conventions (a scale, not a variance; a rate, not a scale) and are
 * not checked here: {@link Family#problem} says which values a distribution takes.
 */
public final class Variates {
  private Variates() {}

  /** A uniform on the open interval (0, 1): never 0, so that its logarithm is finite. */
  public static double openUniform(SplittableRandom random) {
    double u;
    do {
      u = random.nextDouble();
    } while (u == 0);
    return u;
  }

  /** A standard normal, by Marsaglia's polar method (exact; no table, so no platform-dependent constants). */
  public static double standardNormal(SplittableRandom random) {
    double u;
    double v;
    double s;
    do {
      u = 2 * random.nextDouble() - 1;
      v = 2 * random.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * StrictMath.sqrt(-2 * StrictMath.log(s) / s);
  }

  public static double normal(SplittableRandom random, double mu, double sigma) {
    return mu + sigma * standardNormal(random);
  }

  /** Student's t with {@code nu} degrees of freedom: a normal over the root of a chi-square / nu. */
  public static double studentT(SplittableRandom random, double nu, double mu, double sigma) {
    double z = standardNormal(random);
    // chi2(nu) / nu = Gamma(nu / 2, rate nu / 2); in logs, so that tiny nu does not underflow to 0
    double logScaledChiSquare = logStandardGamma(random, nu / 2) - StrictMath.log(nu / 2);
    return mu + sigma * z * StrictMath.exp(-0.5 * logScaledChiSquare);
  }

  public static double cauchy(SplittableRandom random, double mu, double sigma) {
    return mu + sigma * StrictMath.tan(StrictMath.PI * (openUniform(random) - 0.5));
  }

  public static double exponential(SplittableRandom random, double rate) {
    return -StrictMath.log(openUniform(random)) / rate;
  }

  public static double gamma(SplittableRandom random, double shape, double rate) {
    return StrictMath.exp(logStandardGamma(random, shape)) / rate;
  }

  /**
   * The logarithm of a Gamma(shape, 1) variate: Marsaglia and Tsang's squeeze for shape >= 1; for
   * shape < 1, Gamma(shape) = Gamma(shape + 1) U^(1/shape), kept in logs because for a small shape
   * the variate itself underflows to 0 (a Beta(0.01, 0.01) needs the logs of both).
   */
  public static double logStandardGamma(SplittableRandom random, double shape) {
    if (shape < 1) {
      return logStandardGamma(random, shape + 1) + StrictMath.log(openUniform(random)) / shape;
    }
    double d = shape - 1.0 / 3;
    double c = 1 / StrictMath.sqrt(9 * d);
    while (true) {
      double x;
      double v;
      do {
        x = standardNormal(random);
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      double u = openUniform(random);
      double xx = x * x;
      if (u < 1 - 0.0331 * xx * xx) {
        return StrictMath.log(d * v);
      }
      if (StrictMath.log(u) < 0.5 * xx + d * (1 - v + StrictMath.log(v))) {
        return StrictMath.log(d * v);
      }
    }
  }

  /** Beta(a, b) as Ga / (Ga + Gb) = sigmoid(log Ga - log Gb), from the logs of two gammas. */
  public static double beta(SplittableRandom random, double a, double b) {
    double logA = logStandardGamma(random, a);
    double logB = logStandardGamma(random, b);
    return MathFunctions.sigmoid(logA - logB);
  }

  public static double lognormal(SplittableRandom random, double mu, double sigma) {
    return StrictMath.exp(normal(random, mu, sigma));
  }

  /** 1 with probability sigmoid(alpha), else 0. */
  public static double bernoulliLogit(SplittableRandom random, double alpha) {
    return random.nextDouble() < MathFunctions.sigmoid(alpha) ? 1 : 0;
  }

  /** A Poisson count with rate exp(alpha). */
  public static double poissonLog(SplittableRandom random, double alpha) {
    return poisson(random, StrictMath.exp(alpha));
  }

  /** Rates below this are drawn by inversion (Knuth's product of uniforms), others by PTRS. */
  private static final double POISSON_INVERSION_LIMIT = 10;

  /**
   * A Poisson count: Knuth's multiplication for small rates, Hörmann's transformed rejection with
   * squeeze (PTRS, 1993, as NumPy) for the others; both exact.
   */
  public static double poisson(SplittableRandom random, double rate) {
    if (rate == 0) {
      return 0;
    }
    if (rate < POISSON_INVERSION_LIMIT) {
      double limit = StrictMath.exp(-rate);
      double product = random.nextDouble();
      long k = 0;
      while (product > limit) {
        product *= random.nextDouble();
        k++;
      }
      return k;
    }
    double logRate = StrictMath.log(rate);
    double b = 0.931 + 2.53 * StrictMath.sqrt(rate);
    double a = -0.059 + 0.02483 * b;
    double inverseAlpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2);
    while (true) {
      double u = random.nextDouble() - 0.5;
      double v = random.nextDouble();
      double us = 0.5 - Math.abs(u);
      double k = Math.floor((2 * a / us + b) * u + rate + 0.43);
      if (us >= 0.07 && v <= vr) {
        return k;
      }
      if (k < 0 || (us < 0.013 && v > us)) {
        continue;
      }
      if (StrictMath.log(v) + StrictMath.log(inverseAlpha) - StrictMath.log(a / (us * us) + b)
          <= -rate + k * logRate - MathFunctions.lgamma(k + 1)) {
        return k;
      }
    }
  }

  /** The number of successes in {@code trials} with success probability sigmoid(alpha). */
  public static double binomialLogit(SplittableRandom random, long trials, double alpha) {
    // p and 1 - p both from the logit, so that neither loses digits when the other is near 1
    return binomial(random, trials, MathFunctions.sigmoid(alpha), MathFunctions.sigmoid(-alpha));
  }

  /** Trials times success probability above which the count is split by a beta draw first. */
  private static final double BINOMIAL_INVERSION_LIMIT = 30;

  /**
   * A binomial count, exact: while the expected count is large, Knuth's splitting (the a-th
   * smallest of n uniforms is Beta(a, n + 1 - a); the counts below and above it are binomial
   * again, each with about half the trials); then inversion of the probability mass function
   * from 0, in the direction of the smaller of p and q = 1 - p.
   */
  public static double binomial(SplittableRandom random, long trials, double p, double q) {
    long n = trials;
    long count = 0;
    while (n * Math.min(p, q) >= BINOMIAL_INVERSION_LIMIT) {
      long a = 1 + n / 2;
      long b = n + 1 - a;
      double logA = logStandardGamma(random, a);
      double logB = logStandardGamma(random, b);
      double x = MathFunctions.sigmoid(logA - logB);
      double xComplement = MathFunctions.sigmoid(logB - logA);
      if (x >= p) {
        n = a - 1;
        p = p / x;
        q = 1 - p;
      } else {
        count += a;
        n = b - 1;
        q = q / xComplement;
        p = 1 - q;
      }
    }
    return count + (p <= q ? smallBinomial(random, n, p, q) : n - smallBinomial(random, n, q, p));
  }

  /** Inversion for a count with a small expected value n p (p <= 1/2). */
  private static long smallBinomial(SplittableRandom random, long n, double p, double q) {
    if (p == 0 || n == 0) {
      return 0;
    }
    double mass = StrictMath.exp(n * StrictMath.log1p(-p));
    double ratio = p / q;
    double u = random.nextDouble();
    long k = 0;
    while (u > mass && k < n) {
      u -= mass;
      mass *= ratio * (n - k) / (k + 1);
      k++;
      if (mass == 0) {
        // rounding left u beyond the whole mass: start over rather than return a tail value
        u = random.nextDouble();
        k = 0;
        mass = StrictMath.exp(n * StrictMath.log1p(-p));
      }
    }
    return k;
  }
}
