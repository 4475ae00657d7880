package io.flowc.compiler.interp;

import io.flowc.compiler.frontend.Builtin;
import io.flowc.runtime.data.DataSet;
import java.util.List;

/**
 * The domain of every argument of the language's distributions and of the functions that turn a
 * number outside theirs into NaN, named and worded as Stan's math library reports them
 * ({@code normal_lpdf: Scale parameter[7] is -18, but must be positive!}), elements counted from
 * 0 as in the language.
 */
public final class DomainRules {
  private DomainRules() {}

  /** What one argument must be. */
  enum Requirement {
    NOT_NAN("must not be nan!"),
    FINITE("must be finite!"),
    POSITIVE("must be positive!"),
    POSITIVE_FINITE("must be positive finite!"),
    NONNEGATIVE("must be nonnegative!"),
    UNIT_INTERVAL("must be in the interval [0, 1]"),
    SYMMETRIC_UNIT_INTERVAL("must be in the interval [-1, 1]"),
    AT_LEAST_MINUS_ONE("must be greater than or equal to -1!"),
    /** A count: a nonnegative integer. */
    COUNT("must be a nonnegative integer!"),
    /** A 0/1 outcome. */
    BINARY("must be 0 or 1!");

    final String wording;

    Requirement(String wording) {
      this.wording = wording;
    }

    boolean holds(double x) {
      return switch (this) {
        case NOT_NAN -> !Double.isNaN(x);
        case FINITE -> Double.isFinite(x);
        case POSITIVE -> x > 0;
        case POSITIVE_FINITE -> x > 0 && x < Double.POSITIVE_INFINITY;
        case NONNEGATIVE -> x >= 0;
        case UNIT_INTERVAL -> x >= 0 && x <= 1;
        case SYMMETRIC_UNIT_INTERVAL -> x >= -1 && x <= 1;
        case AT_LEAST_MINUS_ONE -> x >= -1;
        case COUNT -> x >= 0 && x == Math.rint(x) && x < Double.POSITIVE_INFINITY;
        case BINARY -> x == 0 || x == 1;
      };
    }
  }

  /** An argument's name in messages and what it must be. */
  record Rule(String name, Requirement requirement) {}

  /**
   * The rules of a built-in's arguments in order, or null for one that accepts every number (or
   * whose NaN cannot come from a single argument). Functions check only what makes them NaN:
   * log(0) is -infinity, a legitimate value.
   */
  static List<Rule> rules(Builtin b) {
    return switch (b) {
      case NORMAL_LPDF -> List.of(rule("Random variable", Requirement.NOT_NAN),
          rule("Location parameter", Requirement.FINITE), rule("Scale parameter", Requirement.POSITIVE));
      case STUDENT_T_LPDF -> List.of(rule("Random variable", Requirement.NOT_NAN),
          rule("Degrees of freedom parameter", Requirement.POSITIVE_FINITE),
          rule("Location parameter", Requirement.FINITE), rule("Scale parameter", Requirement.POSITIVE_FINITE));
      case CAUCHY_LPDF -> List.of(rule("Random variable", Requirement.NOT_NAN),
          rule("Location parameter", Requirement.FINITE), rule("Scale parameter", Requirement.POSITIVE_FINITE));
      case EXPONENTIAL_LPDF -> List.of(rule("Random variable", Requirement.NONNEGATIVE),
          rule("Inverse scale parameter", Requirement.POSITIVE_FINITE));
      case GAMMA_LPDF -> List.of(rule("Random variable", Requirement.POSITIVE_FINITE),
          rule("Shape parameter", Requirement.POSITIVE_FINITE),
          rule("Inverse scale parameter", Requirement.POSITIVE_FINITE));
      case BETA_LPDF -> List.of(rule("Random variable", Requirement.UNIT_INTERVAL),
          rule("First shape parameter", Requirement.POSITIVE_FINITE),
          rule("Second shape parameter", Requirement.POSITIVE_FINITE));
      case LOGNORMAL_LPDF -> List.of(rule("Random variable", Requirement.NONNEGATIVE),
          rule("Location parameter", Requirement.FINITE), rule("Scale parameter", Requirement.POSITIVE_FINITE));
      case BERNOULLI_LOGIT_LPMF -> List.of(rule("n", Requirement.BINARY),
          rule("Logit transformed probability parameter", Requirement.NOT_NAN));
      case POISSON_LOG_LPMF -> List.of(rule("Random variable", Requirement.COUNT),
          rule("Log rate parameter", Requirement.NOT_NAN));
      // the successes' upper bound, the number of trials, is checked apart (successesAboveTrials)
      case BINOMIAL_LOGIT_LPMF -> List.of(rule("Successes variable", Requirement.COUNT),
          rule("Population size parameter", Requirement.COUNT), rule("Probability parameter", Requirement.FINITE));
      case LOG, SQRT -> List.of(rule("Argument", Requirement.NONNEGATIVE));
      case LOG1P -> List.of(rule("Argument", Requirement.AT_LEAST_MINUS_ONE));
      case ASIN, ACOS -> List.of(rule("Argument", Requirement.SYMMETRIC_UNIT_INTERVAL));
      case LOGIT -> List.of(rule("Argument", Requirement.UNIT_INTERVAL));
      default -> null;
    };
  }

  private static Rule rule(String name, Requirement requirement) {
    return new Rule(name, requirement);
  }

  /**
   * An argument outside its domain: {@code element} is -1 for a scalar argument; {@code index} is
   * the argument's position in the call.
   */
  record Breach(int index, String argument, int element, double value, String requirement) {
    /** Stan's wording: {@code normal_lpdf: Scale parameter[7] is -18, but must be positive!}. */
    String describe(String function) {
      return function + ": " + argument + (element >= 0 ? "[" + element + "]" : "") + " is " + format(value)
          + ", but " + requirement;
    }
  }

  /**
   * The first argument of a call of {@code b} outside its domain, argument after argument and
   * element after element (the order Stan checks them in), or null; {@code only[k]} false skips
   * argument k.
   */
  static Breach firstBreach(Builtin b, List<double[]> args, boolean[] vector, boolean[] only) {
    List<Rule> rules = rules(b);
    if (rules == null) {
      return null;
    }
    for (int k = 0; k < rules.size() && k < args.size(); k++) {
      if (only != null && !only[k]) {
        continue;
      }
      Rule rule = rules.get(k);
      double[] x = args.get(k);
      for (int i = 0; i < x.length; i++) {
        if (!rule.requirement().holds(x[i])) {
          return new Breach(k, rule.name(), vector[k] ? i : -1, x[i], rule.requirement().wording);
        }
      }
      if (b == Builtin.BINOMIAL_LOGIT_LPMF && k == 0) {
        Breach above = successesAboveTrials(args, vector);
        if (above != null) {
          return above;
        }
      }
    }
    return null;
  }

  /** Successes beyond their number of trials (broadcast against each other). */
  private static Breach successesAboveTrials(List<double[]> args, boolean[] vector) {
    double[] n = args.get(0);
    double[] trials = args.get(1);
    int length = Math.max(n.length, trials.length);
    for (int i = 0; i < length; i++) {
      double successes = n[n.length == 1 ? 0 : i];
      double bound = trials[trials.length == 1 ? 0 : i];
      if (successes > bound) {
        return new Breach(0, "Successes variable", vector[0] ? i : -1, successes,
            "must be in the interval [0, " + format(bound) + "]");
      }
    }
    return null;
  }

  /** A number as Stan prints it: integers without a fraction, {@code nan}, {@code inf}. */
  public static String format(double x) {
    if (Double.isNaN(x)) {
      return "nan";
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? "inf" : "-inf";
    }
    return DataSet.format(x);
  }
}
