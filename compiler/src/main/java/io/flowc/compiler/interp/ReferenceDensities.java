package io.flowc.compiler.interp;

import io.flowc.compiler.frontend.Builtin;
import io.flowc.runtime.MathFunctions;

/**
 * One element's term of each log density or mass, written from the textbook definitions on
 * doubles: the oracle for the IR expansion in {@code io.flowc.compiler.lower.Distributions}.
 */
public final class ReferenceDensities {
  private ReferenceDensities() {}

  /** {@code x[0]} is the outcome, the rest the distribution's parameters in Stan's order. */
  public static double of(Builtin b, double[] x) {
    double y = x[0];
    return switch (b) {
      case NORMAL_LPDF -> normal(y, x[1], x[2]);
      case STUDENT_T_LPDF -> {
        double nu = x[1];
        double z = (y - x[2]) / x[3];
        yield MathFunctions.lgamma((nu + 1) / 2) - MathFunctions.lgamma(nu / 2) - 0.5 * Math.log(nu * Math.PI)
            - Math.log(x[3]) - (nu + 1) / 2 * Math.log1p(z * z / nu);
      }
      case CAUCHY_LPDF -> {
        double z = (y - x[1]) / x[2];
        yield -Math.log(Math.PI * x[2]) - Math.log1p(z * z);
      }
      case EXPONENTIAL_LPDF -> y < 0 ? Double.NEGATIVE_INFINITY : Math.log(x[1]) - x[1] * y;
      case GAMMA_LPDF -> x[1] * Math.log(x[2]) - MathFunctions.lgamma(x[1]) + (x[1] - 1) * Math.log(y) - x[2] * y;
      case BETA_LPDF -> MathFunctions.lgamma(x[1] + x[2]) - MathFunctions.lgamma(x[1]) - MathFunctions.lgamma(x[2])
          + (x[1] - 1) * Math.log(y) + (x[2] - 1) * Math.log1p(-y);
      case LOGNORMAL_LPDF -> normal(Math.log(y), x[1], x[2]) - Math.log(y);
      // log sigmoid(alpha) for a success, log(1 - sigmoid(alpha)) = log sigmoid(-alpha) otherwise
      case BERNOULLI_LOGIT_LPMF -> y * -MathFunctions.softplus(-x[1]) + (1 - y) * -MathFunctions.softplus(x[1]);
      case POISSON_LOG_LPMF -> y * x[1] - Math.exp(x[1]) - MathFunctions.lgamma(y + 1);
      case BINOMIAL_LOGIT_LPMF -> {
        double trials = x[1];
        double logChoose = MathFunctions.lgamma(trials + 1) - MathFunctions.lgamma(y + 1)
            - MathFunctions.lgamma(trials - y + 1);
        yield logChoose + y * -MathFunctions.softplus(-x[2]) + (trials - y) * -MathFunctions.softplus(x[2]);
      }
      default -> throw new IllegalArgumentException(b + " is not a distribution");
    };
  }

  private static double normal(double y, double mu, double sigma) {
    double z = (y - mu) / sigma;
    return -0.5 * z * z - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
  }
}
