package io.flowc.compiler.interp;

import java.util.Arrays;

/**
 * The reference semantics of the language's matrix functions on {@code double[][]} by rows,
 * written from their textbook definitions (Golub and Van Loan, "Matrix Computations", 4.2 for
 * the Cholesky factor; Stan's functions reference for gp_exp_quad_cov), independently of the
 * routines compiled code calls.
 */
final class Matrices {
  private Matrices() {}

  static double[][] zeros(int n) {
    return new double[n][n];
  }

  static double[][] product(double[][] a, double[][] b) {
    double[][] out = new double[a.length][b[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < b[0].length; j++) {
        double s = 0;
        for (int k = 0; k < b.length; k++) {
          s = k == 0 ? a[i][0] * b[0][j] : s + a[i][k] * b[k][j];
        }
        out[i][j] = s;
      }
    }
    return out;
  }

  /** a + sign * b. */
  static double[][] combine(double[][] a, double[][] b, int sign) {
    double[][] out = new double[a.length][a[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        out[i][j] = sign > 0 ? a[i][j] + b[i][j] : a[i][j] - b[i][j];
      }
    }
    return out;
  }

  /** s a (or a / s with {@code divide}), element by element. */
  static double[][] scale(double[][] a, double s, boolean divide) {
    double[][] out = new double[a.length][a[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        out[i][j] = divide ? a[i][j] / s : s * a[i][j];
      }
    }
    return out;
  }

  static double[][] transpose(double[][] a) {
    double[][] out = new double[a[0].length][a.length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        out[j][i] = a[i][j];
      }
    }
    return out;
  }

  /** K[i][j] = alpha^2 exp(-(x[i] - x[j])^2 / (2 rho^2)). */
  static double[][] expQuadCov(double[] x, double alpha, double rho) {
    double[][] k = new double[x.length][x.length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x.length; j++) {
        double d = x[i] - x[j];
        k[i][j] = alpha * alpha * Math.exp(d * d * (-0.5 / (rho * rho)));
      }
    }
    return k;
  }

  /** a plus d on its diagonal: one value (a scalar) for every element, or one value per row. */
  static double[][] addDiagonal(double[][] a, double[] d) {
    double[][] out = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].clone();
      out[i][i] += d[d.length == 1 ? 0 : i];
    }
    return out;
  }

  /** The lower factor L of A = L L^T from A's lower triangle (Cholesky-Banachiewicz, row by row). */
  static double[][] cholesky(double[][] a) {
    int n = a.length;
    double[][] l = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = a[i][j];
        for (int k = 0; k < j; k++) {
          s -= l[i][k] * l[j][k];
        }
        l[i][j] = i == j ? Math.sqrt(s) : s / l[j][j];
      }
    }
    return l;
  }

  /** x with L x = b, L lower triangular. */
  static double[] forwardSubstitution(double[][] l, double[] b) {
    double[] x = new double[b.length];
    for (int i = 0; i < b.length; i++) {
      double s = b[i];
      for (int k = 0; k < i; k++) {
        s -= l[i][k] * x[k];
      }
      x[i] = s / l[i][i];
    }
    return x;
  }

  static double[] diagonal(double[][] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = a[i][i];
    }
    return d;
  }

  /**
   * The solution x of a x = b and log |det a|, by Gaussian elimination with partial pivoting (the
   * textbook route, independent of the Cholesky factor the compiled code uses).
   */
  record Solved(double[] x, double logAbsDeterminant) {}

  static Solved solve(double[][] a, double[] b) {
    int n = a.length;
    double[][] m = new double[n][];
    for (int i = 0; i < n; i++) {
      m[i] = Arrays.copyOf(a[i], n + 1);
      m[i][n] = b[i];
    }
    double logDet = 0;
    for (int k = 0; k < n; k++) {
      int pivot = k;
      for (int i = k + 1; i < n; i++) {
        if (Math.abs(m[i][k]) > Math.abs(m[pivot][k])) {
          pivot = i;
        }
      }
      double[] row = m[pivot];
      m[pivot] = m[k];
      m[k] = row;
      logDet += Math.log(Math.abs(row[k]));
      for (int i = k + 1; i < n; i++) {
        double f = m[i][k] / row[k];
        for (int j = k; j <= n; j++) {
          m[i][j] -= f * row[j];
        }
      }
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double sum = m[i][n];
      for (int j = i + 1; j < n; j++) {
        sum -= m[i][j] * x[j];
      }
      x[i] = sum / m[i][i];
    }
    return new Solved(x, logDet);
  }
}
