package io.flowc.runtime.laplace;

/**
 * Householder reflections in the form of the {@code hh} flow (pymc3_nf_semantics.md section 2.4):
 * H(v) = I - 2 v v^T / (|v|^2 + 1e-10), v = 0 the identity.
 */
public final class Householders {
  /** hh's guard in the denominator. */
  static final double EPSILON = 1e-10;

  private Householders() {}

  /**
   * Vectors v_1 .. v_{d-1} with H(v_{d-1}) ... H(v_1) m = diag(1, ..., 1, +-1) for an orthogonal d x d
   * m, so that m = H(v_1) ... H(v_{d-1}) diag(1, ..., 1, +-1): the QR decomposition by reflections,
   * each column taken to +|x| e_j. A reflection that is not needed is v = 0; the others have unit
   * length, where hh's 1e-10 changes the reflection by 2e-10 relative.
   */
  public static double[][] factor(double[][] m) {
    int d = m.length;
    double[][] a = new double[d][];
    for (int i = 0; i < d; i++) {
      a[i] = m[i].clone();
    }
    double[][] vectors = new double[Math.max(d - 1, 0)][d];
    for (int j = 0; j < d - 1; j++) {
      double[] v = vectors[j];
      double below = 0;
      for (int i = j + 1; i < d; i++) {
        v[i] = a[i][j];
        below += a[i][j] * a[i][j];
      }
      if (below == 0 && a[j][j] >= 0) {
        continue;
      }
      double norm = Math.sqrt(a[j][j] * a[j][j] + below);
      // x - |x| e_j without cancellation when x is nearly |x| e_j (Golub and Van Loan, algorithm 5.1.1)
      v[j] = a[j][j] <= 0 ? a[j][j] - norm : -below / (a[j][j] + norm);
      double length = Math.sqrt(v[j] * v[j] + below);
      for (int i = j; i < d; i++) {
        v[i] /= length;
      }
      reflect(v, a, 0);
    }
    return vectors;
  }

  /** a := H(v) a, with hh's denominator (|v|^2 + 1e-10) when {@code guard} is 1, the exact reflection when 0. */
  static void reflect(double[] v, double[][] a, int guard) {
    int d = v.length;
    double n = guard * EPSILON;
    for (double x : v) {
      n += x * x;
    }
    if (n == 0) {
      return;
    }
    for (int c = 0; c < a[0].length; c++) {
      double dot = 0;
      for (int i = 0; i < d; i++) {
        dot += v[i] * a[i][c];
      }
      double f = 2 * dot / n;
      for (int i = 0; i < d; i++) {
        a[i][c] -= f * v[i];
      }
    }
  }

  /** H(v) z for one vector z, as the hh flow computes it. */
  public static void apply(double[] v, double[] z) {
    double n = EPSILON;
    double dot = 0;
    for (int i = 0; i < v.length; i++) {
      n += v[i] * v[i];
      dot += v[i] * z[i];
    }
    double f = 2 * dot / n;
    for (int i = 0; i < v.length; i++) {
      z[i] -= f * v[i];
    }
  }
}
