package io.flowc.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A file a command writes (draws, tracks, pictures, artifacts): checked before the work that
 * makes it, so that a mistyped path costs nothing, and written with a one-line user error naming
 * it when writing fails all the same (a full disk shows only then).
 */
final class OutputFile {
  private OutputFile() {}

  /** What goes into a text file. */
  @FunctionalInterface
  interface Text {
    void writeTo(Writer w) throws IOException;
  }

  /**
   * Checks that {@code file} can be written: a valid name, not a directory, an existing file
   * that may be written or else a writable directory to create it in.
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
      String why = dir != null && Files.exists(dir) ? "not a directory: " : "no such directory ";
      throw new UserException(option + ": " + file + ": " + why + (dir == null ? "" : dir.toString()));
    }
    boolean writable = Files.exists(path) ? Files.isWritable(path) : Files.isWritable(dir);
    if (!writable) {
      throw new UserException(option + ": " + file + ": permission denied");
    }
    return path;
  }

  /**
   * Checks that {@code dir} is a directory that can be written, or can be created: its nearest
   * existing ancestor is a writable directory.
   */
  static Path checkDirectory(String option, String dir) {
    Path path;
    try {
      path = Path.of(dir);
    } catch (InvalidPathException e) {
      throw new UserException(option + ": " + dir + ": not a valid directory name (" + e.getReason() + ")");
    }
    if (dir.isEmpty()) {
      throw new UserException(option + ": the directory name is empty");
    }
    Path existing = path.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing)) {
      throw new UserException(option + ": " + dir + ": not a directory: " + existing);
    }
    if (!Files.isWritable(existing)) {
      throw new UserException(option + ": " + dir + ": permission denied");
    }
    return path;
  }

  /** Writes a UTF-8 text file; any failure is a user error naming the file. */
  static void writeText(String option, String file, Text text) {
    Path path = check(option, file);
    try (Writer w = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
      text.writeTo(w);
    } catch (IOException e) {
      throw failure(option, file, e);
    }
  }

  /** The user error for a write of {@code file} that failed with {@code e}. */
  static UserException failure(String option, String file, IOException e) {
    String why;
    if (e instanceof NoSuchFileException) {
      why = "no such directory";
    } else if (e instanceof AccessDeniedException) {
      why = "permission denied";
    } else if (e instanceof FileSystemException fs && fs.getReason() != null) {
      why = fs.getReason();
    } else {
      why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return new UserException(option + ": cannot write " + file + " (" + why + ")");
  }
}
