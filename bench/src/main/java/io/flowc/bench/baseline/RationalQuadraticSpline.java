package io.flowc.bench.baseline;

import io.flowc.runtime.MathFunctions;

/**
 * One coordinate's monotone rational-quadratic spline (docs/spec/neural_flows.md section 5) from its
 * 3K - 1 raw values, with the backward pass derived by hand: the baseline's own spline, written
 * without the compiler's IR so that it can check the compiled flows as well as time them.
 *
 * <p>An instance is scratch space for one coordinate at a time (not thread-safe); after
 * {@link #forward} it holds the output and log|dy/dx|, and {@link #backward} writes the adjoints
 * of the input and of the raw values.
 */
final class RationalQuadraticSpline {
  static final double MIN_WIDTH = 1e-3;
  static final double MIN_HEIGHT = 1e-3;
  static final double MIN_DERIVATIVE = 1e-3;

  private final int bins;
  private final double bound;
  private final double[] widths;
  private final double[] heights;
  private final double[] widthShares;
  private final double[] heightShares;
  private final double[] xKnots;
  private final double[] yKnots;
  private final double[] derivatives;
  private final double[] knotAdjoint;

  double y;
  double logDet;
  private int bin;
  private boolean inside;

  RationalQuadraticSpline(int bins, double bound) {
    this.bins = bins;
    this.bound = bound;
    widths = new double[bins];
    heights = new double[bins];
    widthShares = new double[bins];
    heightShares = new double[bins];
    xKnots = new double[bins + 1];
    yKnots = new double[bins + 1];
    derivatives = new double[bins + 1];
    knotAdjoint = new double[bins + 1];
  }

  /** Raw values at {@code raw[offset + stride * p]}, p < 3K - 1: K width logits, K height logits, K - 1 derivatives. */
  void forward(double x, double[] raw, int offset, int stride) {
    inside = x >= -bound && x <= bound;
    if (!inside) {
      y = x;
      logDet = 0;
      return;
    }
    knots(raw, offset, stride, widths, widthShares, xKnots);
    knots(raw, offset + bins * stride, stride, heights, heightShares, yKnots);
    derivatives[0] = 1;
    derivatives[bins] = 1;
    for (int k = 1; k < bins; k++) {
      derivatives[k] = MIN_DERIVATIVE + MathFunctions.softplus(raw[offset + (2 * bins + k - 1) * stride]);
    }
    int k = 0;
    while (k < bins - 1 && x >= xKnots[k + 1]) {
      k++;
    }
    bin = k;
    double xw = xKnots[k + 1] - xKnots[k];
    double yh = yKnots[k + 1] - yKnots[k];
    double s = yh / xw;
    double xi = Math.min(Math.max((x - xKnots[k]) / xw, 0), 1);
    double a = xi * (1 - xi);
    double dk = derivatives[k];
    double dk1 = derivatives[k + 1];
    double p = s * xi * xi + dk * a;
    double d = s + (dk1 + dk - 2 * s) * a;
    y = yKnots[k] + yh * p / d;
    double m = dk1 * xi * xi + 2 * s * a + dk * (1 - xi) * (1 - xi);
    logDet = 2 * Math.log(s) + Math.log(m) - 2 * Math.log(d);
  }

  /** Softmax widths with their minimum, and knots from -B to exactly B. */
  private void knots(double[] raw, int offset, int stride, double[] size, double[] share, double[] knot) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < bins; k++) {
      max = Math.max(max, raw[offset + k * stride]);
    }
    double total = 0;
    for (int k = 0; k < bins; k++) {
      size[k] = Math.exp(raw[offset + k * stride] - max);
      total += size[k];
    }
    double scale = 1 - bins * MIN_WIDTH;
    double cumulative = 0;
    knot[0] = -bound;
    for (int k = 0; k < bins; k++) {
      share[k] = size[k] / total;
      size[k] = MIN_WIDTH + scale * share[k];
      cumulative += size[k];
      knot[k + 1] = -bound + 2 * bound * cumulative;
    }
    knot[bins] = bound;
  }

  /**
   * Adjoints for the outputs' adjoints {@code yBar} (of y) and {@code logDetBar} (of log|dy/dx|):
   * returns the input's adjoint and adds the raw values' adjoints to {@code rawBar} (laid out as
   * the raw values were, from {@code barOffset}). Must follow {@link #forward} on the same values.
   */
  double backward(double x, double yBar, double logDetBar, double[] raw, int offset, int stride, double[] rawBar,
      int barOffset) {
    if (!inside) {
      return yBar;
    }
    int k = bin;
    double xw = xKnots[k + 1] - xKnots[k];
    double yh = yKnots[k + 1] - yKnots[k];
    double s = yh / xw;
    double xiRaw = (x - xKnots[k]) / xw;
    double xi = Math.min(Math.max(xiRaw, 0), 1);
    double a = xi * (1 - xi);
    double dk = derivatives[k];
    double dk1 = derivatives[k + 1];
    double p = s * xi * xi + dk * a;
    double d = s + (dk1 + dk - 2 * s) * a;
    double m = dk1 * xi * xi + 2 * s * a + dk * (1 - xi) * (1 - xi);

    double yhBar = yBar * p / d;
    double pBar = yBar * yh / d;
    double dBar = -yBar * yh * p / (d * d) - 2 * logDetBar / d;
    double ykBar = yBar;
    double mBar = logDetBar / m;
    double sBar = 2 * logDetBar / s + pBar * xi * xi + dBar * (1 - 2 * a) + mBar * 2 * a;
    double aBar = pBar * dk + dBar * (dk1 + dk - 2 * s) + mBar * 2 * s;
    double xiBar = pBar * 2 * s * xi + mBar * (2 * dk1 * xi - 2 * dk * (1 - xi)) + aBar * (1 - 2 * xi);
    double dkBar = pBar * a + dBar * a + mBar * (1 - xi) * (1 - xi);
    double dk1Bar = dBar * a + mBar * xi * xi;
    if (xiRaw < 0 || xiRaw > 1) {
      xiBar = 0;
    }
    double xBar = xiBar / xw;
    double xwBar = -xiBar * xiRaw / xw - sBar * s / xw;
    yhBar += sBar / xw;

    java.util.Arrays.fill(knotAdjoint, 0);
    knotAdjoint[k + 1] += xwBar;
    knotAdjoint[k] += -xBar - xwBar;
    sizesBackward(barOffset, stride, widthShares, rawBar);
    java.util.Arrays.fill(knotAdjoint, 0);
    knotAdjoint[k + 1] += yhBar;
    knotAdjoint[k] += ykBar - yhBar;
    sizesBackward(barOffset + bins * stride, stride, heightShares, rawBar);
    derivativeBackward(k, dkBar, raw, offset, stride, rawBar, barOffset);
    derivativeBackward(k + 1, dk1Bar, raw, offset, stride, rawBar, barOffset);
    return xBar;
  }

  private void derivativeBackward(int knot, double bar, double[] raw, int offset, int stride, double[] rawBar,
      int barOffset) {
    if (knot > 0 && knot < bins) {
      int at = (2 * bins + knot - 1) * stride;
      rawBar[barOffset + at] += bar * MathFunctions.sigmoid(raw[offset + at]);
    }
  }

  /** From the knots' adjoints (interior knots only: the end knots are constants) to the logits'. */
  private void sizesBackward(int offset, int stride, double[] share, double[] rawBar) {
    double scale = 1 - bins * MIN_WIDTH;
    // knot j (1..K-1) = -B + 2B (size_0 + ... + size_{j-1}): size_i's adjoint sums knots i+1..K-1
    double running = 0;
    double dot = 0;
    for (int i = bins - 1; i >= 0; i--) {
      if (i + 1 < bins) {
        running += 2 * bound * knotAdjoint[i + 1];
      }
      double softmax = share[i];
      // reuse knotAdjoint's slot i as the softmax adjoint once its knot is consumed
      knotAdjoint[i + 1] = running * scale;
      dot += softmax * knotAdjoint[i + 1];
    }
    for (int i = 0; i < bins; i++) {
      double softmax = share[i];
      rawBar[offset + i * stride] += softmax * (knotAdjoint[i + 1] - dot);
    }
  }
}
