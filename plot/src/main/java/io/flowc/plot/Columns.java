package io.flowc.plot;

/** Columns of draws held as rows ({@code draws[s][j]} is element j of draw s). */
final class Columns {
  private Columns() {}

  static double[] column(double[][] rows, int j) {
    double[] c = new double[rows.length];
    for (int s = 0; s < rows.length; s++) {
      c[s] = rows[s][j];
    }
    return c;
  }

  static int dimension(double[][] rows, String what) {
    if (rows.length == 0) {
      throw new IllegalArgumentException(what + ": no draws");
    }
    int d = rows[0].length;
    for (double[] row : rows) {
      if (row.length != d) {
        throw new IllegalArgumentException(what + ": draws of " + d + " and " + row.length + " elements");
      }
    }
    return d;
  }

  /** 0, 1, ..., n - 1 as doubles: the x values of a trace. */
  static double[] indices(int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = i;
    }
    return x;
  }
}
