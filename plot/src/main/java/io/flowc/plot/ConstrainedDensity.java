package io.flowc.plot;

import io.flowc.runtime.Constraints;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.ParameterLayout.Parameter;
import java.util.function.DoubleBinaryOperator;

/**
 * The log density of a 2-d model's parameters as users see them. A compiled model computes the
 * density of the unconstrained point u, which already includes log |dx/du| for each bounded
 * element; the density of the constrained values x is that divided by |dx/du|:
 * log p_x(x) = log p_u(u(x)) - log |dx/du|. Outside the bounds the density is 0.
 */
public final class ConstrainedDensity implements DoubleBinaryOperator {
  private final LogDensity model;
  private final double[] lower = new double[2];
  private final double[] upper = new double[2];
  private final double[] u = new double[2];
  private final double[] workspace;

  public ConstrainedDensity(LogDensity model, ParameterLayout layout) {
    if (model.dimension() != 2 || layout.dimension() != 2) {
      throw new IllegalArgumentException("a constrained density picture needs a 2-d model, not "
          + model.dimension() + "-d");
    }
    if (layout.hasComputedBounds()) {
      throw new IllegalArgumentException("a constrained density picture needs constant bounds, not bounds computed"
          + " from other parameters or data");
    }
    this.model = model;
    int k = 0;
    for (Parameter p : layout.parameters()) {
      for (int i = 0; i < p.elementCount(); i++, k++) {
        lower[k] = p.lower();
        upper[k] = p.upper();
      }
    }
    this.workspace = new double[model.workspaceSize()];
  }

  @Override
  public double applyAsDouble(double x, double y) {
    double logJacobian = 0;
    double[] xs = {x, y};
    for (int k = 0; k < 2; k++) {
      if (!(xs[k] > lower[k] && xs[k] < upper[k])) {
        return Double.NEGATIVE_INFINITY;
      }
      u[k] = Constraints.unconstrain(xs[k], lower[k], upper[k]);
      logJacobian += logAbsDxDu(xs[k], lower[k], upper[k]);
    }
    return model.logDensity(u, workspace) - logJacobian;
  }

  /**
   * log |dx/du| from x itself, which is exact near the bounds where going through u would round:
   * x - a for x > a, b - x for x < b, (x - a)(b - x)/(b - a) for an interval, 1 when unbounded.
   */
  static double logAbsDxDu(double x, double lower, double upper) {
    boolean hasLower = lower > Double.NEGATIVE_INFINITY;
    boolean hasUpper = upper < Double.POSITIVE_INFINITY;
    if (hasLower && hasUpper) {
      return Math.log(x - lower) + Math.log(upper - x) - Math.log(upper - lower);
    } else if (hasLower) {
      return Math.log(x - lower);
    } else if (hasUpper) {
      return Math.log(upper - x);
    }
    return 0;
  }

  /**
   * The window a picture shows by default: on each axis the notebook's range [-4, 4] cut to the
   * element's bounds, or, where that leaves nothing, 8 units from the bound inwards (or the whole
   * interval when it is narrower).
   */
  public Box defaultBox() {
    double[] x = defaultRange(lower[0], upper[0], Box.NOTEBOOK.xMin(), Box.NOTEBOOK.xMax());
    double[] y = defaultRange(lower[1], upper[1], Box.NOTEBOOK.yMin(), Box.NOTEBOOK.yMax());
    return new Box(x[0], x[1], y[0], y[1]);
  }

  private static double[] defaultRange(double lower, double upper, double lo, double hi) {
    double a = Math.max(lo, lower);
    double b = Math.min(hi, upper);
    if (a < b) {
      return new double[] {a, b};
    }
    // the bounds lie wholly to one side of [lo, hi]: as wide a window, starting at the near bound
    double width = hi - lo;
    return lower >= hi ? new double[] {lower, Math.min(upper, lower + width)}
        : new double[] {Math.max(lower, upper - width), upper};
  }
}
