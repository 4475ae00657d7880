package io.flowc.plot;

import io.flowc.runtime.LogDensity;
import java.util.function.DoubleBinaryOperator;

/**
 * A 2-d target density exp(log p) on a regular grid of cell centres, divided by its largest
 * value on the grid, so every model's picture uses the same colour bands from 0 to 1 whatever
 * its normalising constant.
 *
 * @param relative {@code relative[j * nx + i]} is the density at the centre of column i (x) and
 *     row j (y), in [0, 1]; non-finite log densities count as 0
 */
public record DensityGrid(Box box, int nx, int ny, double[] relative) {
  /** Cells per axis: fine enough for the notebook's narrow ridges (width 0.35) in an 8-wide box. */
  public static final int DEFAULT_RESOLUTION = 200;

  public DensityGrid {
    if (nx < 2 || ny < 2 || relative.length != nx * ny) {
      throw new IllegalArgumentException("a " + nx + " x " + ny + " grid with " + relative.length + " values");
    }
    relative = relative.clone();
  }

  @Override
  public double[] relative() {
    return relative.clone();
  }

  public double cellWidth() {
    return (box.xMax() - box.xMin()) / nx;
  }

  public double cellHeight() {
    return (box.yMax() - box.yMin()) / ny;
  }

  public double x(int i) {
    return box.xMin() + (i + 0.5) * cellWidth();
  }

  public double y(int j) {
    return box.yMin() + (j + 0.5) * cellHeight();
  }

  public double at(int i, int j) {
    return relative[j * nx + i];
  }

  /** A 2-d compiled model on an n x n grid. */
  public static DensityGrid of(LogDensity model, Box box, int n) {
    if (model.dimension() != 2) {
      throw new IllegalArgumentException("a density grid needs a 2-d model, not " + model.dimension() + "-d");
    }
    double[] z = new double[2];
    double[] workspace = new double[model.workspaceSize()];
    return of((x, y) -> {
      z[0] = x;
      z[1] = y;
      return model.logDensity(z, workspace);
    }, box, n);
  }

  /**
   * Any log density of two variables on an n x n grid.
   *
   * @throws IllegalArgumentException if it is not finite anywhere on the grid (a blank picture
   *     would only hide the problem)
   */
  public static DensityGrid of(DoubleBinaryOperator logDensity, Box box, int n) {
    if (n < 2) {
      throw new IllegalArgumentException("grid resolution " + n + " < 2");
    }
    double dx = (box.xMax() - box.xMin()) / n;
    double dy = (box.yMax() - box.yMin()) / n;
    double[] logp = new double[n * n];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < n; i++) {
        double v = logDensity.applyAsDouble(box.xMin() + (i + 0.5) * dx, box.yMin() + (j + 0.5) * dy);
        logp[j * n + i] = v;
        if (Double.isFinite(v) && v > max) {
          max = v;
        }
      }
    }
    if (max == Double.NEGATIVE_INFINITY) {
      throw new IllegalArgumentException("the log density is not finite anywhere in " + box);
    }
    double[] relative = new double[n * n];
    for (int k = 0; k < relative.length; k++) {
      relative[k] = Double.isFinite(logp[k]) ? Math.exp(logp[k] - max) : 0;
    }
    return new DensityGrid(box, n, n, relative);
  }
}
