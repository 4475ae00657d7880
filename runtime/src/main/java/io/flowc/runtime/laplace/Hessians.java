package io.flowc.runtime.laplace;

/** The Hessian of U = -log p by central differences of its gradient, symmetrised. */
final class Hessians {
  private Hessians() {}

  /**
   * H[i][j] = (dU/dz_i (x + h_j e_j) - dU/dz_i (x - h_j e_j)) / (2 h_j), then (H + H^T) / 2, with
   * h_j = eps^(1/3) max(1, |x_j|): truncation and rounding errors balanced (Nocedal and Wright,
   * section 8.1).
   */
  static double[][] centralDifferences(ModeSearch search, double[] x) {
    int d = x.length;
    double[][] h = new double[d][d];
    double[] point = x.clone();
    double[] plus = new double[d];
    double[] minus = new double[d];
    for (int j = 0; j < d; j++) {
      double step = Math.cbrt(Math.ulp(1.0)) * Math.max(1, Math.abs(x[j]));
      point[j] = x[j] + step;
      double up = point[j] - x[j];
      search.u(point, plus);
      point[j] = x[j] - step;
      double down = x[j] - point[j];
      search.u(point, minus);
      point[j] = x[j];
      for (int i = 0; i < d; i++) {
        h[i][j] = (plus[i] - minus[i]) / (up + down);
      }
    }
    for (int i = 0; i < d; i++) {
      for (int j = i + 1; j < d; j++) {
        double mean = (h[i][j] + h[j][i]) / 2;
        h[i][j] = mean;
        h[j][i] = mean;
      }
    }
    return h;
  }
}
