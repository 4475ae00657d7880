package io.flowc.runtime.laplace;

import io.flowc.runtime.LogDensity;

/**
 * The Gaussian N(mode, Sigma) at the mode of a model's unconstrained log density, Sigma the
 * inverse of the Hessian of -log p there (by central differences of the gradient, symmetrised,
 * inverted through its Cholesky factor). {@code logDensity} is log p at the mode;
 * {@code evaluations} counts the gradients the search and the Hessian took.
 */
public record LaplaceApproximation(double[] mode, double[][] covariance, double logDensity, int evaluations) {

  /**
   * The approximation of {@code model}'s posterior.
   *
   * @throws LaplaceException when no mode is found or the Hessian there is not positive definite
   */
  public static LaplaceApproximation of(LogDensity model) {
    ModeSearch search = new ModeSearch(model);
    double[] mode = search.find();
    double[][] hessian = Hessians.centralDifferences(search, mode);
    double[][] l = Cholesky.factor(hessian);
    if (l == null) {
      throw new LaplaceException("the Hessian of -log p at the mode is not positive definite: the posterior is "
          + "flat or improper along some direction");
    }
    double logp = -search.u(mode, new double[mode.length]);
    return new LaplaceApproximation(mode, Cholesky.inverse(l), logp, search.evaluations());
  }

  public int dimension() {
    return mode.length;
  }

  /** The marginal standard deviations, sqrt(Sigma_ii). */
  public double[] marginalSds() {
    double[] sd = new double[mode.length];
    for (int i = 0; i < sd.length; i++) {
      sd[i] = Math.sqrt(covariance[i][i]);
    }
    return sd;
  }
}
