package io.flowc.cli;

import io.flowc.plot.Box;
import io.flowc.plot.DensityGrid;
import picocli.CommandLine.Option;

/** The window of 2-d pictures and the resolution of their density grid. */
public final class WindowOptions {
  @Option(names = "--xlim", paramLabel = "LO,HI", description = "The window's x range for 2-d models "
      + "(default -4,4 as in the notebook).")
  private String xlim;

  @Option(names = "--ylim", paramLabel = "LO,HI", description = "The window's y range for 2-d models (default -4,4).")
  private String ylim;

  @Option(names = "--resolution", paramLabel = "N", description = "Grid cells per axis of a density picture "
      + "(default " + DensityGrid.DEFAULT_RESOLUTION + ").")
  private int resolution = DensityGrid.DEFAULT_RESOLUTION;

  /** Checks the values before any work is done: a bad option must not cost a fit. */
  void check() {
    if (resolution < 2 || resolution > 2000) {
      throw new UserException("--resolution must be between 2 and 2000");
    }
    explicitBox();
  }

  int resolution() {
    return resolution;
  }

  /** The window the user asked for, the notebook's range on an axis left out; null if neither was given. */
  Box explicitBox() {
    return xlim == null && ylim == null ? null : boxOr(Box.NOTEBOOK);
  }

  /** The window the user asked for, else the notebook's. */
  Box boxOrNotebook() {
    return boxOr(Box.NOTEBOOK);
  }

  /** The ranges the user asked for, and {@code fallback}'s on an axis left out. */
  Box boxOr(Box fallback) {
    double[] x = xlim == null ? new double[] {fallback.xMin(), fallback.xMax()} : limits("--xlim", xlim);
    double[] y = ylim == null ? new double[] {fallback.yMin(), fallback.yMax()} : limits("--ylim", ylim);
    return new Box(x[0], x[1], y[0], y[1]);
  }

  /**
   * The window the user asked for; else the notebook's, widened for draws that fall outside it
   * ({@link Box#preferring}). Each draw is a row whose first two elements are x and y.
   */
  Box boxFor(double[][]... drawSets) {
    return boxFor(Box.NOTEBOOK, drawSets);
  }

  /** As {@link #boxFor(double[][]...)}, starting from {@code preferred} instead of the notebook's window. */
  Box boxFor(Box preferred, double[][]... drawSets) {
    Box box = explicitBox();
    if (box != null) {
      return boxOr(preferred);
    }
    int n = 0;
    for (double[][] set : drawSets) {
      n += set.length;
    }
    double[] x = new double[n];
    double[] y = new double[n];
    int k = 0;
    for (double[][] set : drawSets) {
      for (double[] row : set) {
        x[k] = row[0];
        y[k++] = row[1];
      }
    }
    return Box.preferring(preferred, x, y);
  }

  private static double[] limits(String option, String text) {
    double[] v = Coordinates.parse(option, text);
    if (v.length != 2 || !(v[0] < v[1])) {
      throw new UserException(option + " needs two numbers LO,HI with LO < HI, e.g. " + option + "=-4,4");
    }
    return v;
  }
}
