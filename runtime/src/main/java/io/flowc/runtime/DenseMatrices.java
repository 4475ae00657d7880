package io.flowc.runtime;

/**
 * Dense linear algebra on row-major square or rectangular matrices held in arrays at offsets: the
 * one implementation the IR evaluator, the kernel interpreter and generated code (bytecode and
 * Java source) all call, so they agree bit for bit (docs/internals.md, "Dense linear algebra").
 * Every sum starts from its first term and adds (or subtracts) the others in ascending order of
 * their index. Nothing allocates; a target never overlaps an argument.
 */
public final class DenseMatrices {
  private DenseMatrices() {}

  /**
   * The lower Cholesky factor L of the n x n matrix A (A = L L^T), its upper triangle zero. Only
   * A's lower triangle is read, as a symmetric matrix's; where A is not positive definite some
   * elements are NaN (a square root of a negative number), which a log density then rejects.
   */
  public static void cholesky(double[] t, int to, double[] a, int ao, int n) {
    for (int i = 0; i < n; i++) {
      int ri = to + i * n;
      for (int j = 0; j <= i; j++) {
        int rj = to + j * n;
        double s = a[ao + i * n + j];
        for (int k = 0; k < j; k++) {
          s -= t[ri + k] * t[rj + k];
        }
        t[ri + j] = i == j ? Math.sqrt(s) : s / t[rj + j];
      }
      for (int j = i + 1; j < n; j++) {
        t[ri + j] = 0.0;
      }
    }
  }

  /**
   * The adjoint of A given L = cholesky(A) and the adjoint G of L (Murray 2016, "Differentiation
   * of the Cholesky decomposition", eq. 10): with P = Phi(L^T tril(G)), Phi keeping the lower
   * triangle and halving the diagonal, S = L^-T P L^-1; as cholesky reads A's lower triangle
   * only, A's adjoint is S + S^T below the diagonal, S's diagonal on it and zero above. G's upper
   * triangle is ignored (L is zero there whatever A is).
   */
  public static void choleskyAdjoint(double[] t, int to, double[] l, int lo, double[] g, int go, int n) {
    // P = Phi(L^T tril(G)): P[i][j] = sum over k >= i of L[k][i] G[k][j], for j <= i
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = l[lo + i * n + i] * g[go + i * n + j];
        for (int k = i + 1; k < n; k++) {
          s += l[lo + k * n + i] * g[go + k * n + j];
        }
        t[to + i * n + j] = i == j ? 0.5 * s : s;
      }
      for (int j = i + 1; j < n; j++) {
        t[to + i * n + j] = 0.0;
      }
    }
    // T = L^-T T: back substitution on each column, rows from the last
    for (int c = 0; c < n; c++) {
      for (int i = n - 1; i >= 0; i--) {
        double s = t[to + i * n + c];
        for (int k = i + 1; k < n; k++) {
          s -= l[lo + k * n + i] * t[to + k * n + c];
        }
        t[to + i * n + c] = s / l[lo + i * n + i];
      }
    }
    // T = T L^-1: each row y solves y L = row, columns from the last
    for (int r = 0; r < n; r++) {
      int rr = to + r * n;
      for (int j = n - 1; j >= 0; j--) {
        double s = t[rr + j];
        for (int k = j + 1; k < n; k++) {
          s -= t[rr + k] * l[lo + k * n + j];
        }
        t[rr + j] = s / l[lo + j * n + j];
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < i; j++) {
        t[to + i * n + j] += t[to + j * n + i];
        t[to + j * n + i] = 0.0;
      }
    }
  }

  /**
   * x = L^-1 b (forward substitution), or with {@code transposed} x = L^-T b (back substitution),
   * of a lower-triangular n x n L (its upper triangle not read) and a vector b.
   */
  public static void triangularSolve(double[] t, int to, double[] l, int lo, double[] b, int bo, int n, int transposed) {
    if (transposed == 0) {
      for (int i = 0; i < n; i++) {
        double s = b[bo + i];
        for (int k = 0; k < i; k++) {
          s -= l[lo + i * n + k] * t[to + k];
        }
        t[to + i] = s / l[lo + i * n + i];
      }
    } else {
      for (int i = n - 1; i >= 0; i--) {
        double s = b[bo + i];
        for (int k = i + 1; k < n; k++) {
          s -= l[lo + k * n + i] * t[to + k];
        }
        t[to + i] = s / l[lo + i * n + i];
      }
    }
  }

  /**
   * The m x n product op(A) op(B), op(A) m x k and op(B) k x n, op transposing where its flag is
   * 1 (A is then stored k x m, B n x k); each element summed from its first term, k ascending.
   */
  public static void multiply(double[] t, int to, double[] a, int ao, double[] b, int bo, int m, int k, int n,
      int transposeA, int transposeB) {
    int aRow = transposeA == 0 ? k : 1;
    int aTerm = transposeA == 0 ? 1 : m;
    int bCol = transposeB == 0 ? 1 : k;
    int bTerm = transposeB == 0 ? n : 1;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        int ai = ao + i * aRow;
        int bj = bo + j * bCol;
        double s = a[ai] * b[bj];
        for (int p = 1; p < k; p++) {
          s += a[ai + p * aTerm] * b[bj + p * bTerm];
        }
        t[to + i * n + j] = s;
      }
    }
  }

  /** The transpose (cols x rows) of a rows x cols matrix. */
  public static void transpose(double[] t, int to, double[] a, int ao, int rows, int cols) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t[to + j * rows + i] = a[ao + i * cols + j];
      }
    }
  }

  /** The elements {@link #logAbsDeterminant} writes: the value, then the factors. */
  public static int logAbsDeterminantLength(int n) {
    return 1 + n * n;
  }

  /** The elements {@link #logAbsDeterminantAdjoint} writes: the adjoint, the factors, the row order. */
  public static int logAbsDeterminantAdjointLength(int n) {
    return 2 * n * n + n;
  }

  /**
   * log |det A| of an n x n matrix A: A's rows factored P A = L U with partial pivoting (in each
   * column the pivot of largest magnitude, the first of equals), log |det A| the sum of the logs
   * of |U|'s diagonal in row order. t[to] receives the value, the n x n elements after it the
   * factors. A singular A gives -Infinity, which a log density then rejects.
   */
  public static void logAbsDeterminant(double[] t, int to, double[] a, int ao, int n) {
    int lu = to + 1;
    System.arraycopy(a, ao, t, lu, n * n);
    double s = 0.0;
    for (int k = 0; k < n; k++) {
      pivotAndEliminate(t, lu, -1, k, n);
      s += Math.log(Math.abs(t[lu + k * n + k]));
    }
    t[to] = s;
  }

  /**
   * g A^-T, the adjoint of an n x n A for log |det A| given that value's adjoint g: row j of A^-T
   * is column j of A^-1, the solution x of A x = e_j, found from the factors of
   * {@link #logAbsDeterminant} (L y = P e_j, then U x = y). t[to .. to + n n) receives it; the
   * factors and the row order (as doubles) follow it.
   */
  public static void logAbsDeterminantAdjoint(double[] t, int to, double[] a, int ao, double[] g, int go, int n) {
    int lu = to + n * n;
    int order = lu + n * n;
    System.arraycopy(a, ao, t, lu, n * n);
    for (int i = 0; i < n; i++) {
      t[order + i] = i;
    }
    for (int k = 0; k < n; k++) {
      pivotAndEliminate(t, lu, order, k, n);
    }
    double scale = g[go];
    for (int j = 0; j < n; j++) {
      int x = to + j * n;
      for (int i = 0; i < n; i++) {
        double s = t[order + i] == j ? 1.0 : 0.0;
        for (int k = 0; k < i; k++) {
          s -= t[lu + i * n + k] * t[x + k];
        }
        t[x + i] = s;
      }
      for (int i = n - 1; i >= 0; i--) {
        double s = t[x + i];
        for (int k = i + 1; k < n; k++) {
          s -= t[lu + i * n + k] * t[x + k];
        }
        t[x + i] = s / t[lu + i * n + i];
      }
      for (int i = 0; i < n; i++) {
        t[x + i] = scale * t[x + i];
      }
    }
  }

  /**
   * Step k of P A = L U in place at m: the row of the largest |m[i][k]|, i >= k, swapped into row
   * k (with its entry of the row order at {@code order} unless that is -1), then the rows below
   * reduced, their multipliers stored where the zeros fall.
   */
  private static void pivotAndEliminate(double[] m, int at, int order, int k, int n) {
    int p = k;
    for (int i = k + 1; i < n; i++) {
      if (Math.abs(m[at + i * n + k]) > Math.abs(m[at + p * n + k])) {
        p = i;
      }
    }
    if (p != k) {
      for (int j = 0; j < n; j++) {
        double v = m[at + k * n + j];
        m[at + k * n + j] = m[at + p * n + j];
        m[at + p * n + j] = v;
      }
      if (order >= 0) {
        double v = m[order + k];
        m[order + k] = m[order + p];
        m[order + p] = v;
      }
    }
    double d = m[at + k * n + k];
    for (int i = k + 1; i < n; i++) {
      double f = m[at + i * n + k] / d;
      m[at + i * n + k] = f;
      for (int j = k + 1; j < n; j++) {
        m[at + i * n + j] -= f * m[at + k * n + j];
      }
    }
  }
}
