package io.flowc.runtime.laplace;

/**
 * Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations (Golub and Van
 * Loan, section 8.5): slow for large matrices, but accurate to rounding for the eigenvectors of
 * small eigenvalues too, which a Laplace covariance of very different scales needs.
 */
public record SymmetricEigen(double[] values, double[][] vectors) {
  private static final int MAX_SWEEPS = 100;

  /**
   * The decomposition a = V diag(values) V^T of a symmetric d x d matrix (only the upper
   * triangle is read); column j of {@code vectors} (vectors[i][j]) belongs to values[j].
   */
  public static SymmetricEigen of(double[][] a) {
    int d = a.length;
    double[][] m = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        m[i][j] = a[i][j];
        m[j][i] = a[i][j];
      }
    }
    double[][] v = new double[d][d];
    for (int i = 0; i < d; i++) {
      v[i][i] = 1;
    }
    for (int sweep = 0; sweep < MAX_SWEEPS && offDiagonal(m) > 0; sweep++) {
      for (int p = 0; p < d - 1; p++) {
        for (int q = p + 1; q < d; q++) {
          rotate(m, v, p, q);
        }
      }
    }
    double[] values = new double[d];
    for (int i = 0; i < d; i++) {
      values[i] = m[i][i];
    }
    return new SymmetricEigen(values, v);
  }

  /** The off-diagonal mass that is not negligible next to its diagonal entries. */
  private static double offDiagonal(double[][] m) {
    double sum = 0;
    for (int p = 0; p < m.length; p++) {
      for (int q = p + 1; q < m.length; q++) {
        if (Math.abs(m[p][q]) > 1e-300 + 1e-17 * Math.sqrt(Math.abs(m[p][p] * m[q][q]))) {
          sum += m[p][q] * m[p][q];
        }
      }
    }
    return sum;
  }

  /** One rotation zeroing m[p][q] (the symmetric Schur decomposition of the 2 x 2 block). */
  private static void rotate(double[][] m, double[][] v, int p, int q) {
    double apq = m[p][q];
    if (apq == 0) {
      return;
    }
    double theta = (m[q][q] - m[p][p]) / (2 * apq);
    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
    if (theta == 0) {
      t = 1;
    }
    double c = 1 / Math.sqrt(t * t + 1);
    double s = t * c;
    int d = m.length;
    for (int k = 0; k < d; k++) {
      double mkp = m[k][p];
      double mkq = m[k][q];
      m[k][p] = c * mkp - s * mkq;
      m[k][q] = s * mkp + c * mkq;
    }
    for (int k = 0; k < d; k++) {
      double mpk = m[p][k];
      double mqk = m[q][k];
      m[p][k] = c * mpk - s * mqk;
      m[q][k] = s * mpk + c * mqk;
    }
    m[p][q] = 0;
    m[q][p] = 0;
    for (int k = 0; k < d; k++) {
      double vkp = v[k][p];
      double vkq = v[k][q];
      v[k][p] = c * vkp - s * vkq;
      v[k][q] = s * vkp + c * vkq;
    }
  }
}
