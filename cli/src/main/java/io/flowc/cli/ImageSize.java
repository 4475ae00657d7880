package io.flowc.cli;

import io.flowc.plot.Figure;
import io.flowc.plot.RenderedFigure;
import picocli.CommandLine.Option;

/** The size of a command's picture, with the figure's own default where none is given. */
public final class ImageSize {
  @Option(names = "--width", paramLabel = "PX", description = "Image width in pixels (default " + Figure.DEFAULT_WIDTH
      + ", compare " + CompareCommand.DEFAULT_WIDTH + ").")
  private Integer width;

  @Option(names = "--height", paramLabel = "PX", description = "Image height in pixels (default "
      + Figure.DEFAULT_HEIGHT + ", compare " + CompareCommand.DEFAULT_HEIGHT + ").")
  private Integer height;

  /** Checks the values before any work is done: a bad option must not cost a fit. */
  void check() {
    if (outside(width) || outside(height)) {
      throw new UserException("--width and --height must be between " + Figure.MIN_SIZE + " and " + Figure.MAX_SIZE
          + " pixels");
    }
  }

  RenderedFigure render(Figure figure) {
    return render(figure, Figure.DEFAULT_WIDTH, Figure.DEFAULT_HEIGHT);
  }

  RenderedFigure render(Figure figure, int defaultWidth, int defaultHeight) {
    return figure.render(width != null ? width : defaultWidth, height != null ? height : defaultHeight);
  }

  private static boolean outside(Integer pixels) {
    return pixels != null && (pixels < Figure.MIN_SIZE || pixels > Figure.MAX_SIZE);
  }
}
