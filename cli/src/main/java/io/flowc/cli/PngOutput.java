package io.flowc.cli;

import io.flowc.plot.RenderedFigure;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Where a picture goes: checked before the work that makes it, written with one-line errors. */
final class PngOutput {
  private PngOutput() {}

  /**
   * Checks that {@code file} can be written: a valid name, not a directory, in a writable
   * directory that exists. Run before a fit, so that a typo in a path costs nothing.
   */
  static Path check(String option, String file) {
    Path path;
    try {
      path = Path.of(file);
    } catch (InvalidPathException e) {
      throw new UserException(option + ": " + file + ": not a valid file name (" + e.getReason() + ")");
    }
    if (file.isEmpty()) {
      throw new UserException(option + ": the file name is empty");
    }
    if (Files.isDirectory(path)) {
      throw new UserException(option + ": " + file + ": is a directory");
    }
    Path dir = path.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new UserException(option + ": " + file + ": no such directory " + (dir == null ? "" : dir.toString()));
    }
    if (!Files.isWritable(dir) || (Files.exists(path) && !Files.isWritable(path))) {
      throw new UserException(option + ": " + file + ": permission denied");
    }
    return path;
  }

  static void write(String option, RenderedFigure figure, String file) {
    Path path = check(option, file);
    try {
      figure.writePng(path);
    } catch (NoSuchFileException e) {
      throw new UserException(option + ": " + file + ": no such directory");
    } catch (AccessDeniedException e) {
      throw new UserException(option + ": " + file + ": permission denied");
    } catch (IOException e) {
      throw new UserException(option + ": cannot write " + file + " (" + e.getMessage() + ")");
    }
  }
}
