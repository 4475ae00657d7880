package io.flowc.cli;

import io.flowc.plot.RenderedFigure;
import java.io.IOException;
import java.nio.file.Path;

/** Where a picture goes: an {@link OutputFile}, checked before the work that makes it. */
final class PngOutput {
  private PngOutput() {}

  /** {@link OutputFile#check}: run before a fit, so that a typo in a path costs nothing. */
  static Path check(String option, String file) {
    return OutputFile.check(option, file);
  }

  static void write(String option, RenderedFigure figure, String file) {
    Path path = check(option, file);
    try {
      figure.writePng(path);
    } catch (IOException e) {
      throw OutputFile.failure(option, file, e);
    }
  }
}
