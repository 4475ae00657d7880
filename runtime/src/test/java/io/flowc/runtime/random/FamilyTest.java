package io.flowc.runtime.random;

import static io.flowc.runtime.random.ReferenceDistributions.betaCdf;
import static io.flowc.runtime.random.ReferenceDistributions.binomialPmf;
import static io.flowc.runtime.random.ReferenceDistributions.cauchyCdf;
import static io.flowc.runtime.random.ReferenceDistributions.exponentialCdf;
import static io.flowc.runtime.random.ReferenceDistributions.gammaCdf;
import static io.flowc.runtime.random.ReferenceDistributions.lognormalCdf;
import static io.flowc.runtime.random.ReferenceDistributions.normalCdf;
import static io.flowc.runtime.random.ReferenceDistributions.poissonPmf;
import static io.flowc.runtime.random.ReferenceDistributions.studentTCdf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Every generator against its distribution, at fixed seeds: Kolmogorov-Smirnov against an
 * independently written CDF (continuous families, whole and truncated to bounds), a chi-square
 * against the probability mass (discrete families), and the sample mean and variance against the
 * exact ones within five Monte Carlo standard errors (from the exact fourth moment).
 */
class FamilyTest {
  private static final int N = 10_000;
  /** Kolmogorov's asymptotic critical value at level 0.001: P(sqrt(n) D > 1.9495) = 0.001. */
  private static final double KS_CRITICAL = 1.9495;

  private static double[] draws(Family f, long seed, double... p) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] x = new double[N];
    for (int i = 0; i < N; i++) {
      x[i] = f.draw(random, p);
    }
    return x;
  }

  private static double[] drawsWithin(Family f, long seed, double lower, double upper, double... p) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] x = new double[N];
    for (int i = 0; i < N; i++) {
      x[i] = f.drawWithin(random, p, lower, upper);
      assertTrue(x[i] > lower && x[i] < upper, () -> f + " drew outside (" + lower + ", " + upper + ")");
    }
    return x;
  }

  /** The Kolmogorov-Smirnov statistic sup |F_n - F|. */
  static double ks(double[] sample, DoubleUnaryOperator cdf) {
    double[] x = sample.clone();
    Arrays.sort(x);
    double d = 0;
    for (int i = 0; i < x.length; i++) {
      double f = cdf.applyAsDouble(x[i]);
      d = Math.max(d, Math.max((i + 1.0) / x.length - f, f - (double) i / x.length));
    }
    return d;
  }

  private static void assertKs(String what, double[] sample, DoubleUnaryOperator cdf) {
    double d = ks(sample, cdf);
    assertTrue(Math.sqrt(sample.length) * d < KS_CRITICAL, () -> what + ": KS sqrt(n) D = " + Math.sqrt(sample.length) * d);
  }

  /** The CDF of F truncated to (lower, upper). */
  private static DoubleUnaryOperator truncated(DoubleUnaryOperator cdf, double lower, double upper) {
    double fl = lower == Double.NEGATIVE_INFINITY ? 0 : cdf.applyAsDouble(lower);
    double fu = upper == Double.POSITIVE_INFINITY ? 1 : cdf.applyAsDouble(upper);
    return x -> (cdf.applyAsDouble(x) - fl) / (fu - fl);
  }

  /** Mean and variance within 5 standard errors; {@code mu4} is the exact fourth central moment. */
  private static void assertMoments(String what, double[] x, double mean, double variance, double mu4) {
    double m = Arrays.stream(x).average().orElseThrow();
    double v = Arrays.stream(x).map(t -> (t - m) * (t - m)).sum() / (x.length - 1);
    double seMean = Math.sqrt(variance / x.length);
    double seVariance = Math.sqrt((mu4 - variance * variance) / x.length);
    assertEquals(mean, m, 5 * seMean, what + " mean");
    assertEquals(variance, v, 5 * seVariance, what + " variance");
  }

  @Test
  void referenceCdfsMatchTabulatedValues() {
    assertEquals(0.9750021048517795, normalCdf(1.96, 0, 1), 1e-13);
    assertEquals(0.15865525393145707, normalCdf(-1, 0, 1), 1e-13);
    assertEquals(0.5 + 1.5 / (2 * Math.sqrt(2 + 1.5 * 1.5)), studentTCdf(1.5, 2, 0, 1), 1e-13); // closed form for nu = 2
    assertEquals(0.5 + Math.atan(0.5) / Math.PI, cauchyCdf(1, 0, 2), 1e-15);
    assertEquals(0.5939941502901619, gammaCdf(2, 2, 1), 1e-13); // 1 - 3 exp(-2)
    assertEquals(0.5248, betaCdf(0.4, 2, 3), 1e-12); // 1 - 0.6^4 - 4 * 0.4 * 0.6^3
    assertEquals(Math.exp(-3) * 27 / 6, poissonPmf(3, 3), 1e-15);
    assertEquals(10 * 0.3 * 0.3 * 0.7 * 0.7 * 0.7, binomialPmf(2, 5, 0.3), 1e-14);
  }

  @Test
  void continuousFamiliesFollowTheirCdfs() {
    assertKs("normal", draws(Family.NORMAL, 1, 1.5, 2), x -> normalCdf(x, 1.5, 2));
    assertKs("student_t", draws(Family.STUDENT_T, 2, 3, -1, 0.5), x -> studentTCdf(x, 3, -1, 0.5));
    assertKs("student_t small nu", draws(Family.STUDENT_T, 3, 0.7, 0, 1), x -> studentTCdf(x, 0.7, 0, 1));
    assertKs("cauchy", draws(Family.CAUCHY, 4, 2, 3), x -> cauchyCdf(x, 2, 3));
    assertKs("exponential", draws(Family.EXPONENTIAL, 5, 0.5), x -> exponentialCdf(x, 0.5));
    assertKs("gamma", draws(Family.GAMMA, 6, 2.5, 2), x -> gammaCdf(x, 2.5, 2));
    assertKs("gamma shape < 1", draws(Family.GAMMA, 7, 0.3, 1), x -> gammaCdf(x, 0.3, 1));
    assertKs("beta", draws(Family.BETA, 8, 2, 5), x -> betaCdf(x, 2, 5));
    assertKs("beta small shapes", draws(Family.BETA, 9, 0.2, 0.4), x -> betaCdf(x, 0.2, 0.4));
    assertKs("lognormal", draws(Family.LOGNORMAL, 10, 0.3, 0.6), x -> lognormalCdf(x, 0.3, 0.6));
  }

  @Test
  void truncatedFamiliesFollowTheirConditionalCdfs() {
    double inf = Double.POSITIVE_INFINITY;
    assertKs("half-normal", drawsWithin(Family.NORMAL, 11, 0, inf, 0, 1), truncated(x -> normalCdf(x, 0, 1), 0, inf));
    assertKs("normal below 0", drawsWithin(Family.NORMAL, 12, -inf, 0, 2, 1), truncated(x -> normalCdf(x, 2, 1), -inf, 0));
    assertKs("normal far tail", drawsWithin(Family.NORMAL, 13, 5, 6, 0, 1), truncated(x -> normalCdf(x, 0, 1), 5, 6));
    assertKs("normal across its mean", drawsWithin(Family.NORMAL, 14, -1, 2, 0, 1), truncated(x -> normalCdf(x, 0, 1), -1, 2));
    assertKs("half-cauchy", drawsWithin(Family.CAUCHY, 15, 0, inf, 0, 5), truncated(x -> cauchyCdf(x, 0, 5), 0, inf));
    assertKs("cauchy interval", drawsWithin(Family.CAUCHY, 16, -3, 10, 1, 2), truncated(x -> cauchyCdf(x, 1, 2), -3, 10));
    assertKs("exponential interval", drawsWithin(Family.EXPONENTIAL, 17, 0.5, 1.5, 2),
        truncated(x -> exponentialCdf(x, 2), 0.5, 1.5));
    assertKs("lognormal interval", drawsWithin(Family.LOGNORMAL, 18, 0.5, 3, 0, 1),
        truncated(x -> lognormalCdf(x, 0, 1), 0.5, 3));
    assertKs("half-t (rejection)", drawsWithin(Family.STUDENT_T, 19, 0, inf, 4, 0, 1),
        truncated(x -> studentTCdf(x, 4, 0, 1), 0, inf));
    assertKs("gamma below 1 (rejection)", drawsWithin(Family.GAMMA, 20, 0, 1, 2, 1), truncated(x -> gammaCdf(x, 2, 1), 0, 1));
    assertKs("beta interval (rejection)", drawsWithin(Family.BETA, 21, 0.2, 0.5, 2, 2), truncated(x -> betaCdf(x, 2, 2), 0.2, 0.5));
    assertKs("normal, bounds beyond the support", drawsWithin(Family.GAMMA, 22, -1, inf, 3, 1), x -> gammaCdf(x, 3, 1));
  }

  @Test
  void continuousMomentsAreExact() {
    assertMoments("normal", draws(Family.NORMAL, 31, 1.5, 2), 1.5, 4, 3 * 16);
    // student_t(nu = 8): variance nu / (nu - 2), excess kurtosis 6 / (nu - 4)
    double tv = 8.0 / 6;
    assertMoments("student_t", draws(Family.STUDENT_T, 32, 8, 1, 1), 1, tv, (3 + 6.0 / 4) * tv * tv);
    assertMoments("exponential", draws(Family.EXPONENTIAL, 33, 0.5), 2, 4, 9 * 16);
    double k = 2.5;
    double rate = 2;
    double gv = k / (rate * rate);
    assertMoments("gamma", draws(Family.GAMMA, 34, k, rate), k / rate, gv, (3 + 6 / k) * gv * gv);
    double a = 2;
    double b = 5;
    double bv = a * b / ((a + b) * (a + b) * (a + b + 1));
    double betaExcess = 6 * ((a - b) * (a - b) * (a + b + 1) - a * b * (a + b + 2)) / (a * b * (a + b + 2) * (a + b + 3));
    assertMoments("beta", draws(Family.BETA, 35, a, b), a / (a + b), bv, (3 + betaExcess) * bv * bv);
    double s2 = 0.36;
    double lv = Math.expm1(s2) * Math.exp(0.6 + s2);
    double lognormalExcess = Math.exp(4 * s2) + 2 * Math.exp(3 * s2) + 3 * Math.exp(2 * s2) - 6;
    assertMoments("lognormal", draws(Family.LOGNORMAL, 36, 0.3, 0.6), Math.exp(0.3 + s2 / 2), lv,
        (3 + lognormalExcess) * lv * lv);
  }

  /** Chi-square of the counts against the masses, bins merged in the tails until each expects at least 5. */
  private static void assertChiSquare(String what, double[] x, long max, LongToDoubleFunction pmf) {
    long[] counts = new long[(int) max + 1];
    for (double v : x) {
      assertEquals(Math.rint(v), v, what + " drew a non-integer");
      counts[(int) v]++;
    }
    List<double[]> bins = new ArrayList<>(); // {observed, expected}
    double observed = 0;
    double expected = 0;
    double total = 0;
    for (int k = 0; k <= max; k++) {
      observed += counts[k];
      double e = pmf.applyAsDouble(k) * x.length;
      expected += e;
      total += e;
      if (expected >= 5) {
        bins.add(new double[] {observed, expected});
        observed = 0;
        expected = 0;
      }
    }
    // what is left (a bin expecting fewer than 5, and the mass beyond max) goes into the last bin
    double[] last = bins.get(bins.size() - 1);
    last[0] += observed;
    last[1] += expected + (x.length - total);
    double chi2 = 0;
    for (double[] bin : bins) {
      chi2 += (bin[0] - bin[1]) * (bin[0] - bin[1]) / bin[1];
    }
    int df = bins.size() - 1;
    double p = ReferenceDistributions.gammaQ(df / 2.0, chi2 / 2);
    double c = chi2;
    assertTrue(p > 0.001, () -> what + ": chi-square " + c + " on " + df + " df, p = " + p);
  }

  @Test
  void discreteFamiliesFollowTheirMasses() {
    double p = 1 / (1 + Math.exp(-0.7));
    assertChiSquare("bernoulli_logit", draws(Family.BERNOULLI_LOGIT, 41, 0.7), 1, k -> k == 1 ? p : 1 - p);
    assertChiSquare("poisson_log, small rate", draws(Family.POISSON_LOG, 42, Math.log(3)), 40, k -> poissonPmf(k, 3));
    assertChiSquare("poisson_log, PTRS", draws(Family.POISSON_LOG, 43, Math.log(45)), 200, k -> poissonPmf(k, 45));
    double q = 1 / (1 + Math.exp(0.8));
    assertChiSquare("binomial_logit, inversion", draws(Family.BINOMIAL_LOGIT, 44, 20, -0.8), 20,
        k -> binomialPmf(k, 20, q));
    double r = 1 / (1 + Math.exp(-0.4));
    assertChiSquare("binomial_logit, split", draws(Family.BINOMIAL_LOGIT, 45, 1000, 0.4), 1000,
        k -> binomialPmf(k, 1000, r));
    double s = 1 / (1 + Math.exp(-3));
    assertChiSquare("binomial_logit, p near 1", draws(Family.BINOMIAL_LOGIT, 46, 50, 3), 50, k -> binomialPmf(k, 50, s));
  }

  @Test
  void discreteMomentsAreExact() {
    double lambda = 1e5;
    assertMoments("poisson, large rate", draws(Family.POISSON_LOG, 51, Math.log(lambda)), lambda, lambda,
        lambda * (1 + 3 * lambda));
    long n = 1_000_000;
    double p = 1e-5;
    double alpha = Math.log(p / (1 - p));
    double v = n * p * (1 - p);
    assertMoments("binomial, many trials, small p", draws(Family.BINOMIAL_LOGIT, 52, n, alpha), n * p, v,
        v * (1 + 3 * v - 6 * p * (1 - p)));
    long m = 100_000;
    double w = m * 0.25;
    assertMoments("binomial, many trials, p = 1/2", draws(Family.BINOMIAL_LOGIT, 53, m, 0), m / 2.0, w,
        w * (1 + 3 * w - 6 * 0.25));
    double b = 1 / (1 + Math.exp(1.2));
    double bv = b * (1 - b);
    assertMoments("bernoulli", draws(Family.BERNOULLI_LOGIT, 54, -1.2), b, bv, bv * (1 - 3 * bv));
  }

  @Test
  void sameSeedSameDraws() {
    for (Family f : Family.values()) {
      double[] p = f == Family.BINOMIAL_LOGIT ? new double[] {40, 0.3} : f.parameters().size() == 3
          ? new double[] {3, 0.5, 2} : f.parameters().size() == 2 ? new double[] {1.5, 2} : new double[] {0.7};
      assertTrue(Arrays.equals(draws(f, 99, p), draws(f, 99, p)), f.symbol());
    }
  }

  @Test
  void argumentsOutsideTheDomainAreNamed() {
    assertEquals("sigma = -1.0 is not a positive number", Family.NORMAL.problem(new double[] {0, -1}));
    assertEquals("nu = 0.0 is not a positive number", Family.STUDENT_T.problem(new double[] {0, 0, 1}));
    assertEquals("mu is NaN", Family.CAUCHY.problem(new double[] {Double.NaN, 1}));
    assertEquals("trials = 2.5 is not a non-negative integer", Family.BINOMIAL_LOGIT.problem(new double[] {2.5, 0}));
    assertNull(Family.GAMMA.problem(new double[] {0.1, 3}));
    assertTrue(Family.POISSON_LOG.problem(new double[] {40}).contains("beyond"));
  }

  @Test
  void boundsWithoutMassAreRefused() {
    SplittableRandom random = new SplittableRandom(1);
    assertThrows(DrawException.class, () -> Family.GAMMA.drawWithin(random, new double[] {2, 1}, Double.NEGATIVE_INFINITY, 0));
    assertThrows(DrawException.class, () -> Family.NORMAL.drawWithin(random, new double[] {0, 1}, 50, 60));
    DrawException e = assertThrows(DrawException.class,
        () -> Family.GAMMA.drawWithin(random, new double[] {1, 1}, 40, Double.POSITIVE_INFINITY));
    assertTrue(e.getMessage().startsWith("none of 1000000 draws of gamma(1, 1)"), e.getMessage());
  }
}
