package io.flowc.runtime.laplace;

import io.flowc.runtime.DenseMatrices;

/** The Cholesky factor L (lower, H = L L^T) of a symmetric matrix, solves and the inverse. */
final class Cholesky {
  private Cholesky() {}

  /**
   * L, or null when h is not (numerically) positive definite: the factor the model language's
   * {@code cholesky_decompose} computes ({@link DenseMatrices#cholesky}), whose diagonal is then
   * positive throughout.
   */
  static double[][] factor(double[][] h) {
    int d = h.length;
    double[] flat = new double[d * d];
    for (int i = 0; i < d; i++) {
      System.arraycopy(h[i], 0, flat, i * d, d);
    }
    double[] factor = new double[d * d];
    DenseMatrices.cholesky(factor, 0, flat, 0, d);
    double[][] l = new double[d][];
    for (int i = 0; i < d; i++) {
      if (!(factor[i * d + i] > 0)) {
        return null;
      }
      l[i] = java.util.Arrays.copyOfRange(factor, i * d, (i + 1) * d);
    }
    return l;
  }

  /** x with L L^T x = b. */
  static double[] solve(double[][] l, double[] b) {
    int d = b.length;
    double[] x = b.clone();
    for (int i = 0; i < d; i++) {
      for (int k = 0; k < i; k++) {
        x[i] -= l[i][k] * x[k];
      }
      x[i] /= l[i][i];
    }
    for (int i = d - 1; i >= 0; i--) {
      for (int k = i + 1; k < d; k++) {
        x[i] -= l[k][i] * x[k];
      }
      x[i] /= l[i][i];
    }
    return x;
  }

  /** (L L^T)^-1, symmetric. */
  static double[][] inverse(double[][] l) {
    int d = l.length;
    double[][] inverse = new double[d][];
    for (int j = 0; j < d; j++) {
      double[] e = new double[d];
      e[j] = 1;
      inverse[j] = solve(l, e);
    }
    for (int i = 0; i < d; i++) {
      for (int j = i + 1; j < d; j++) {
        double mean = (inverse[i][j] + inverse[j][i]) / 2;
        inverse[i][j] = mean;
        inverse[j][i] = mean;
      }
    }
    return inverse;
  }
}
