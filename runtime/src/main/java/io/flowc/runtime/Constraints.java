package io.flowc.runtime;

/**
 * The transforms of bounded parameters, as Stan and PyMC3 define them: samplers and flows move
 * on the whole real line (u), the model sees x in its bounds, and log p gains the log-Jacobian
 * log |dx/du| so that the density of u is the density of x carried over.
 * <ul>
 *   <li>x > a: x = a + exp(u), log J = u;
 *   <li>x < b: x = b - exp(u), log J = u;
 *   <li>a < x < b: x = a + (b - a) sigmoid(u), log J = log(b - a) - softplus(-u) - softplus(u).
 * </ul>
 * An ordered vector (Stan's {@code ordered}, reference manual "Ordered vector"): x[0] = u[0],
 * x[i] = x[i-1] + exp(u[i]), log J = u[1] + ... + u[n-1].
 * The compiler emits the same formulas into generated code; this class is what the runtime uses
 * to report draws on the constrained scale.
 */
public final class Constraints {
  private Constraints() {}

  /**
   * Whether a parameter has a bound; a bound computed from other parameters or data (its value
   * known only to the model's code, see {@link ParameterLayout#withConstrainer}) is NaN here.
   */
  public static boolean isBounded(double lower, double upper) {
    return lower != Double.NEGATIVE_INFINITY || upper != Double.POSITIVE_INFINITY;
  }

  /**
   * x from u, strictly inside the bounds: where the formula rounds onto a bound (|u| beyond
   * about 37 for an interval, u below about -745 for one bound) the nearest double inside it,
   * and where exp overflows (u above about 709) the largest finite double.
   */
  public static double constrain(double u, double lower, double upper) {
    boolean hasLower = lower > Double.NEGATIVE_INFINITY;
    boolean hasUpper = upper < Double.POSITIVE_INFINITY;
    double x;
    if (hasLower && hasUpper) {
      x = lower + (upper - lower) * MathFunctions.sigmoid(u);
    } else if (hasLower) {
      x = lower + Math.exp(u);
    } else if (hasUpper) {
      x = upper - Math.exp(u);
    } else {
      return u;
    }
    if (Double.isInfinite(x)) {
      return Math.copySign(Double.MAX_VALUE, x);
    }
    if (hasLower && x <= lower) {
      return Math.nextUp(lower);
    }
    return hasUpper && x >= upper ? Math.nextDown(upper) : x;
  }

  /** u from x (x strictly inside the bounds). */
  public static double unconstrain(double x, double lower, double upper) {
    boolean hasLower = lower > Double.NEGATIVE_INFINITY;
    boolean hasUpper = upper < Double.POSITIVE_INFINITY;
    if (hasLower && hasUpper) {
      return MathFunctions.logit((x - lower) / (upper - lower));
    } else if (hasLower) {
      return Math.log(x - lower);
    } else if (hasUpper) {
      return Math.log(upper - x);
    }
    return x;
  }

  /** log |dx/du| at u. */
  public static double logJacobian(double u, double lower, double upper) {
    boolean hasLower = lower > Double.NEGATIVE_INFINITY;
    boolean hasUpper = upper < Double.POSITIVE_INFINITY;
    if (hasLower && hasUpper) {
      return Math.log(upper - lower) - MathFunctions.softplus(-u) - MathFunctions.softplus(u);
    }
    return hasLower || hasUpper ? u : 0;
  }

  /**
   * The ordered vector of {@code n} elements from {@code u[from..from+n)} into
   * {@code x[from..from+n)}: x[0] = u[0], x[i] = x[i-1] + exp(u[i]), summed in index order as
   * the compiled code sums it (a running sum).
   */
  public static void ordered(double[] u, int from, int n, double[] x) {
    double running = u[from];
    x[from] = running;
    for (int i = 1; i < n; i++) {
      running = running + Math.exp(u[from + i]);
      x[from + i] = running;
    }
  }
}
