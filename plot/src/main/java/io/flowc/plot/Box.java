package io.flowc.plot;

import java.util.Arrays;

/** A rectangle in data coordinates: the x and y ranges of a 2-d panel. */
public record Box(double xMin, double xMax, double yMin, double yMax) {
  /** The notebook's window for its four potentials. */
  public static final Box NOTEBOOK = new Box(-4, 4, -4, 4);

  public Box {
    if (!(Double.isFinite(xMin) && Double.isFinite(xMax) && Double.isFinite(yMin) && Double.isFinite(yMax))
        || !(xMin < xMax) || !(yMin < yMax)) {
      throw new IllegalArgumentException("not a box: x in [" + xMin + ", " + xMax + "], y in [" + yMin + ", " + yMax
          + "]");
    }
  }

  public boolean contains(double x, double y) {
    return x >= xMin && x <= xMax && y >= yMin && y <= yMax;
  }

  /** The fraction of the points (xs[k], ys[k]) inside this box; non-finite points count as outside. */
  public double fractionInside(double[] xs, double[] ys) {
    if (xs.length == 0) {
      return 1;
    }
    int inside = 0;
    for (int k = 0; k < xs.length; k++) {
      inside += contains(xs[k], ys[k]) ? 1 : 0;
    }
    return (double) inside / xs.length;
  }

  /**
   * A box around the bulk of some points: the central 99% along each axis, widened by 15% on
   * each side so that the outermost draws do not sit on the frame. Outliers are left out because
   * a single far draw would otherwise shrink everything else to a dot.
   */
  public static Box around(double[] xs, double[] ys) {
    double[] x = finiteSorted(xs);
    double[] y = finiteSorted(ys);
    if (x.length == 0 || y.length == 0) {
      return NOTEBOOK;
    }
    double[] xr = widened(quantile(x, 0.005), quantile(x, 0.995));
    double[] yr = widened(quantile(y, 0.005), quantile(y, 0.995));
    return new Box(xr[0], xr[1], yr[0], yr[1]);
  }

  /**
   * {@code preferred} if it holds at least 95% of the points; else, a box around them, grown to
   * take in {@code preferred} too when the two overlap (a target with long tails keeps the
   * familiar window and gains room for its tails; a target elsewhere gets a window of its own).
   */
  public static Box preferring(Box preferred, double[] xs, double[] ys) {
    if (preferred.fractionInside(xs, ys) >= 0.95) {
      return preferred;
    }
    Box around = around(xs, ys);
    return around.overlaps(preferred) ? around.union(preferred) : around;
  }

  public boolean overlaps(Box other) {
    return xMin < other.xMax && other.xMin < xMax && yMin < other.yMax && other.yMin < yMax;
  }

  /** The smallest box holding both. */
  public Box union(Box other) {
    return new Box(Math.min(xMin, other.xMin), Math.max(xMax, other.xMax), Math.min(yMin, other.yMin),
        Math.max(yMax, other.yMax));
  }

  /** [lo, hi] with 15% of its width added on each side; a point gets a width of its own. */
  private static double[] widened(double lo, double hi) {
    double pad = hi > lo ? 0.15 * (hi - lo) : Math.max(1, Math.abs(lo) * 0.1);
    return new double[] {lo - pad, hi + pad};
  }

  private static double[] finiteSorted(double[] values) {
    double[] v = Arrays.stream(values).filter(Double::isFinite).toArray();
    Arrays.sort(v);
    return v;
  }

  /** Linear interpolation between order statistics (numpy's default). */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
