package io.flowc.compiler.frontend;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The language's built-in functions (DESIGN.md section 3) and how each is typed. */
public enum Builtin {
  SIN(Form.ELEMENTWISE, 1), COS(Form.ELEMENTWISE, 1), TAN(Form.ELEMENTWISE, 1),
  ASIN(Form.ELEMENTWISE, 1), ACOS(Form.ELEMENTWISE, 1), ATAN(Form.ELEMENTWISE, 1),
  ATAN2(Form.ELEMENTWISE, 2),
  SINH(Form.ELEMENTWISE, 1), COSH(Form.ELEMENTWISE, 1), TANH(Form.ELEMENTWISE, 1),
  EXP(Form.ELEMENTWISE, 1), EXPM1(Form.ELEMENTWISE, 1), LOG(Form.ELEMENTWISE, 1),
  LOG1P(Form.ELEMENTWISE, 1), SQRT(Form.ELEMENTWISE, 1), SQUARE(Form.ELEMENTWISE, 1),
  ABS(Form.ELEMENTWISE, 1), POW(Form.ELEMENTWISE, 2), MIN(Form.ELEMENTWISE, 2),
  MAX(Form.ELEMENTWISE, 2), SIGMOID(Form.ELEMENTWISE, 1), LOGIT(Form.ELEMENTWISE, 1),
  SOFTPLUS(Form.ELEMENTWISE, 1), LOGADDEXP(Form.ELEMENTWISE, 2), ERF(Form.ELEMENTWISE, 1),
  ERFC(Form.ELEMENTWISE, 1), LGAMMA(Form.ELEMENTWISE, 1),
  // Stan's log_mix(theta, lp1, lp2) of a two-component mixture, elementwise
  LOG_MIX(Form.ELEMENTWISE, 3),
  SUM(Form.REDUCTION, 1), MEAN(Form.REDUCTION, 1), NORM(Form.REDUCTION, 1),
  // Stan's sd: the sample standard deviation, with n - 1
  SD(Form.REDUCTION, 1),
  DOT(Form.DOT, 2),
  LOGSUMEXP(Form.LOGSUMEXP, -1),
  // Stan's spelling of logsumexp
  LOG_SUM_EXP(Form.LOGSUMEXP, -1),
  // log densities: the outcome first, then the distribution's parameters (Stan's order)
  NORMAL_LPDF(Form.DISTRIBUTION, 3), STUDENT_T_LPDF(Form.DISTRIBUTION, 4), CAUCHY_LPDF(Form.DISTRIBUTION, 3),
  EXPONENTIAL_LPDF(Form.DISTRIBUTION, 2), GAMMA_LPDF(Form.DISTRIBUTION, 3), BETA_LPDF(Form.DISTRIBUTION, 3),
  LOGNORMAL_LPDF(Form.DISTRIBUTION, 3), BERNOULLI_LOGIT_LPMF(Form.DISTRIBUTION, 2),
  POISSON_LOG_LPMF(Form.DISTRIBUTION, 2), BINOMIAL_LOGIT_LPMF(Form.DISTRIBUTION, 3);

  /** How a built-in maps argument types to a result type. */
  public enum Form {
    /** Real arguments, broadcast against each other; the result has the broadcast shape. */
    ELEMENTWISE,
    /** One real vector to a scalar. */
    REDUCTION,
    /** Two real vectors of one length to a scalar. */
    DOT,
    /** One real vector, or two or more reals (scalars or vectors, concatenated), to a scalar. */
    LOGSUMEXP,
    /**
     * A log density or mass: real arguments broadcast against each other as for ELEMENTWISE, the
     * result the sum over the elements (a vectorized statement is the sum of its elements' terms).
     */
    DISTRIBUTION
  }

  /** Built-in constants; user names may not shadow them. */
  public static final Map<String, Double> CONSTANTS = Map.of("pi", Math.PI, "e", Math.E);

  private static final Map<String, Builtin> BY_NAME =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Builtin::symbol, Function.identity()));

  public final Form form;
  /** Number of arguments, or -1 for a variable number. */
  public final int arity;

  Builtin(Form form, int arity) {
    this.form = form;
    this.arity = arity;
  }

  /** The name in the language. */
  public String symbol() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Optional<Builtin> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /**
   * The function a sampling statement {@code y ~ NAME(...)} calls: {@code NAME_lpmf} for the
   * discrete distributions, {@code NAME_lpdf} otherwise (also for unknown names, which the
   * checker then reports with suggestions).
   */
  public static String densityOf(String distribution) {
    String mass = distribution + "_lpmf";
    return BY_NAME.containsKey(mass) ? mass : distribution + "_lpdf";
  }
}
