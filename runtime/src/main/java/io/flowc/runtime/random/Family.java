package io.flowc.runtime.random;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.numbers.gamma.Erfc;
import org.apache.commons.numbers.gamma.InverseErfc;

/**
 * The model language's distributions as generators: each draws one value given its parameters
 * (Stan's order, the outcome left out), and {@link #drawWithin} draws from the distribution
 * truncated to a parameter's bounds.
 *
 * <p>Truncation: normal, lognormal, Cauchy and exponential invert their closed-form CDFs between
 * the bounds, working in the lower tail (reflecting an upper interval for the symmetric ones) so
 * that narrow intervals far out keep their digits; Student's t, gamma and beta draw until a value
 * falls inside, and give up after {@link #MAX_REJECTIONS} draws, when the bounds hold too little
 * of the distribution to be a prior.
 */
public enum Family {
  NORMAL(false, "mu", "sigma"),
  STUDENT_T(false, "nu", "mu", "sigma"),
  CAUCHY(false, "mu", "sigma"),
  EXPONENTIAL(false, "rate"),
  GAMMA(false, "shape", "rate"),
  BETA(false, "a", "b"),
  LOGNORMAL(false, "mu", "sigma"),
  BERNOULLI_LOGIT(true, "alpha"),
  POISSON_LOG(true, "alpha"),
  BINOMIAL_LOGIT(true, "trials", "alpha");

  /** Draws made for a rejection-truncated value before it is given up. */
  public static final int MAX_REJECTIONS = 1_000_000;

  /** The largest Poisson rate drawn: beyond it the acceptance test's terms lose the digits it needs. */
  public static final double MAX_POISSON_RATE = 1e12;

  private final boolean discrete;
  private final List<String> parameters;

  Family(boolean discrete, String... parameters) {
    this.discrete = discrete;
    this.parameters = List.of(parameters);
  }

  /** The name in the language: {@code normal}, {@code student_t}, ... */
  public String symbol() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The family the language's name stands for, or null. */
  public static Family bySymbol(String symbol) {
    for (Family f : values()) {
      if (f.symbol().equals(symbol)) {
        return f;
      }
    }
    return null;
  }

  /** Whether it draws integers (counts, 0/1). */
  public boolean isDiscrete() {
    return discrete;
  }

  /** Parameter names, in the language's (Stan's) order. */
  public List<String> parameters() {
    return parameters;
  }

  /** The lower end of the support. */
  public double supportLower() {
    return switch (this) {
      case EXPONENTIAL, GAMMA, BETA, LOGNORMAL, BERNOULLI_LOGIT, POISSON_LOG, BINOMIAL_LOGIT -> 0;
      default -> Double.NEGATIVE_INFINITY;
    };
  }

  /** The upper end of the support (the trials for a binomial: +infinity here). */
  public double supportUpper() {
    return switch (this) {
      case BETA, BERNOULLI_LOGIT -> 1;
      default -> Double.POSITIVE_INFINITY;
    };
  }

  /** Why these parameter values have no distribution (e.g. {@code sigma = -1 is not positive}), or null. */
  public String problem(double[] p) {
    for (int k = 0; k < p.length; k++) {
      if (Double.isNaN(p[k])) {
        return parameters.get(k) + " is NaN";
      }
    }
    return switch (this) {
      case NORMAL, CAUCHY, LOGNORMAL -> finite(p, 0) != null ? finite(p, 0) : positive(p, 1);
      case STUDENT_T -> positive(p, 0) != null ? positive(p, 0) : finite(p, 1) != null ? finite(p, 1) : positive(p, 2);
      case EXPONENTIAL -> positive(p, 0);
      case GAMMA, BETA -> positive(p, 0) != null ? positive(p, 0) : positive(p, 1);
      case BERNOULLI_LOGIT -> null;
      case POISSON_LOG -> Math.exp(p[0]) > MAX_POISSON_RATE
          ? "the rate exp(alpha) = " + Math.exp(p[0]) + " is beyond " + MAX_POISSON_RATE + ", the largest drawn"
          : null;
      case BINOMIAL_LOGIT -> p[0] >= 0 && p[0] == Math.rint(p[0]) && p[0] < 0x1p53
          ? null : "trials = " + p[0] + " is not a non-negative integer";
    };
  }

  private String finite(double[] p, int k) {
    return Double.isFinite(p[k]) ? null : parameters.get(k) + " = " + p[k] + " is not finite";
  }

  private String positive(double[] p, int k) {
    return p[k] > 0 && p[k] < Double.POSITIVE_INFINITY ? null : parameters.get(k) + " = " + p[k] + " is not a positive number";
  }

  /** One value; the parameters must have no {@link #problem}. */
  public double draw(SplittableRandom random, double[] p) {
    return switch (this) {
      case NORMAL -> Variates.normal(random, p[0], p[1]);
      case STUDENT_T -> Variates.studentT(random, p[0], p[1], p[2]);
      case CAUCHY -> Variates.cauchy(random, p[0], p[1]);
      case EXPONENTIAL -> Variates.exponential(random, p[0]);
      case GAMMA -> Variates.gamma(random, p[0], p[1]);
      case BETA -> Variates.beta(random, p[0], p[1]);
      case LOGNORMAL -> Variates.lognormal(random, p[0], p[1]);
      case BERNOULLI_LOGIT -> Variates.bernoulliLogit(random, p[0]);
      case POISSON_LOG -> Variates.poissonLog(random, p[0]);
      case BINOMIAL_LOGIT -> Variates.binomialLogit(random, (long) p[0], p[1]);
    };
  }

  /**
   * One value of a continuous family inside the open interval (lower, upper) (either end may be
   * infinite), drawn from the distribution conditioned on it.
   *
   * @throws DrawException if the interval holds none (or, for the families drawn by rejection,
   *     too little) of the distribution
   */
  public double drawWithin(SplittableRandom random, double[] p, double lower, double upper) {
    if (discrete) {
      throw new IllegalStateException(symbol() + " is discrete");
    }
    if (!(Math.max(lower, supportLower()) < Math.min(upper, supportUpper()))) {
      throw new DrawException(symbol() + " has no values between " + lower + " and " + upper);
    }
    if (lower <= supportLower() && upper >= supportUpper()) {
      return inside(draw(random, p), lower, upper, random, p);
    }
    return switch (this) {
      case NORMAL -> p[0] + p[1] * standardWithin(random, (lower - p[0]) / p[1], (upper - p[0]) / p[1], NORMAL_CDF);
      case CAUCHY -> p[0] + p[1] * standardWithin(random, (lower - p[0]) / p[1], (upper - p[0]) / p[1], CAUCHY_CDF);
      case LOGNORMAL -> {
        double logLower = lower <= 0 ? Double.NEGATIVE_INFINITY : StrictMath.log(lower);
        double z = standardWithin(random, (logLower - p[0]) / p[1], (StrictMath.log(upper) - p[0]) / p[1], NORMAL_CDF);
        yield StrictMath.exp(p[0] + p[1] * z);
      }
      case EXPONENTIAL -> exponentialWithin(random, p[0], Math.max(lower, 0), upper);
      default -> rejection(random, p, lower, upper);
    };
  }

  /** A draw from the whole support still has to be strictly inside: a beta can round to exactly 1. */
  private double inside(double x, double lower, double upper, SplittableRandom random, double[] p) {
    return x > lower && x < upper ? x : rejection(random, p, lower, upper);
  }

  private double rejection(SplittableRandom random, double[] p, double lower, double upper) {
    for (int i = 0; i < MAX_REJECTIONS; i++) {
      double x = draw(random, p);
      if (x > lower && x < upper) {
        return x;
      }
    }
    throw new DrawException("none of " + MAX_REJECTIONS + " draws of " + describe(p) + " fell inside ("
        + lower + ", " + upper + ")");
  }

  /** {@code normal(0, 5)}, for messages. */
  public String describe(double[] p) {
    StringBuilder s = new StringBuilder(symbol()).append('(');
    for (int k = 0; k < p.length; k++) {
      boolean integral = p[k] == Math.rint(p[k]) && Math.abs(p[k]) < 1e15;
      s.append(k == 0 ? "" : ", ").append(integral ? Long.toString((long) p[k]) : Double.toString(p[k]));
    }
    return s.append(')').toString();
  }

  /** The lower-tail CDF of a symmetric standard distribution, and its inverse there. */
  private interface LowerTail {
    /** F(x) for x <= 0. */
    double cdf(double x);

    /** F^-1(u) for u <= 1/2. */
    double quantile(double u);
  }

  private static final LowerTail NORMAL_CDF = new LowerTail() {
    @Override
    public double cdf(double x) {
      return 0.5 * Erfc.value(-x / Math.sqrt(2));
    }

    @Override
    public double quantile(double u) {
      return -Math.sqrt(2) * InverseErfc.value(2 * u);
    }
  };

  private static final LowerTail CAUCHY_CDF = new LowerTail() {
    @Override
    public double cdf(double x) {
      // 1/2 + atan(x) / pi, written for x <= 0 so that the far tail keeps its digits
      return x == Double.NEGATIVE_INFINITY ? 0 : StrictMath.atan2(1, -x) / Math.PI;
    }

    @Override
    public double quantile(double u) {
      return -1 / StrictMath.tan(Math.PI * u);
    }
  };

  /**
   * A symmetric standard variate inside (a, b) by inversion: an interval on the upper side is
   * reflected to the lower one, where F is small and keeps its relative precision; an interval
   * across 0 is split at 0 by the mass on each side.
   */
  private double standardWithin(SplittableRandom random, double a, double b, LowerTail f) {
    if (a >= 0) {
      return -standardWithin(random, -b, -a, f);
    }
    double fa = f.cdf(a);
    double x;
    if (b > 0) {
      double below = 0.5 - fa;
      double above = 0.5 - f.cdf(-b);
      double u = random.nextDouble() * (below + above);
      x = u < below ? f.quantile(fa + u) : -f.quantile(0.5 - (u - below));
    } else {
      double fb = f.cdf(b);
      if (!(fb > fa)) {
        throw new DrawException(symbol() + " holds no mass that a double can tell between its bounds");
      }
      x = f.quantile(fa + random.nextDouble() * (fb - fa));
    }
    // the inverse is accurate, not exact: keep the value inside the interval it was drawn in
    return Math.min(Math.max(x, Math.nextUp(a)), Math.nextDown(b));
  }

  /** Exponential truncated to (lower, upper) with lower >= 0: lower plus an exponential truncated to the width (memoryless). */
  private static double exponentialWithin(SplittableRandom random, double rate, double lower, double upper) {
    double width = upper - lower;
    double u = Variates.openUniform(random);
    // F(w) = 1 - exp(-rate w) on (0, width): inverted as -log1p(u * expm1(-rate * width)) / rate
    double x = lower - StrictMath.log1p(u * StrictMath.expm1(-rate * width)) / rate;
    return Math.min(Math.max(x, Math.nextUp(lower)), Math.nextDown(upper));
  }
}
