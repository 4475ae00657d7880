package io.flowc.cli;

import io.flowc.plot.Box;
import io.flowc.plot.DensityGrid;
import io.flowc.plot.Figure;
import picocli.CommandLine.Option;

/** The options every command that draws shares: image size, window and grid resolution. */
public final class FigureOptions {
  @Option(names = "--width", paramLabel = "PX", description = "Image width in pixels (default " + Figure.DEFAULT_WIDTH + ").")
  private Integer width;

  @Option(names = "--height", paramLabel = "PX", description = "Image height in pixels (default " + Figure.DEFAULT_HEIGHT + ").")
  private Integer height;

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
    int w = width(Figure.DEFAULT_WIDTH);
    int h = height(Figure.DEFAULT_HEIGHT);
    if (w < Figure.MIN_SIZE || w > Figure.MAX_SIZE || h < Figure.MIN_SIZE || h > Figure.MAX_SIZE) {
      throw new UserException("--width and --height must be between " + Figure.MIN_SIZE + " and " + Figure.MAX_SIZE
          + " pixels");
    }
    if (resolution < 2 || resolution > 2000) {
      throw new UserException("--resolution must be between 2 and 2000");
    }
    explicitBox();
  }

  int width(int fallback) {
    return width != null ? width : fallback;
  }

  int height(int fallback) {
    return height != null ? height : fallback;
  }

  int resolution() {
    return resolution;
  }

  /** The window the user asked for, the notebook's range on an axis left out; null if neither was given. */
  Box explicitBox() {
    if (xlim == null && ylim == null) {
      return null;
    }
    double[] x = xlim == null ? new double[] {Box.NOTEBOOK.xMin(), Box.NOTEBOOK.xMax()} : limits("--xlim", xlim);
    double[] y = ylim == null ? new double[] {Box.NOTEBOOK.yMin(), Box.NOTEBOOK.yMax()} : limits("--ylim", ylim);
    return new Box(x[0], x[1], y[0], y[1]);
  }

  /** The window the user asked for, else the notebook's. */
  Box boxOrNotebook() {
    Box box = explicitBox();
    return box != null ? box : Box.NOTEBOOK;
  }

  private static double[] limits(String option, String text) {
    double[] v = Coordinates.parse(option, text);
    if (v.length != 2 || !(v[0] < v[1])) {
      throw new UserException(option + " needs two numbers LO,HI with LO < HI, e.g. " + option + "=-4,4");
    }
    return v;
  }
}
