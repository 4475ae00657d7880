package io.flowc.cli;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.diag.Utf8Text;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.DomainDiagnosis;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.ArtifactException;
import io.flowc.runtime.Background;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.data.DataException;
import io.flowc.runtime.data.DataLayout;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads model files for the commands: strict UTF-8 (a leading byte-order mark is dropped), and
 * every problem with the file itself reported as a {@link UserException} naming the file.
 */
public final class ModelFiles {
  /** Largest model file read: far beyond any model the front end compiles in reasonable time. */
  static final int MAX_MODEL_BYTES = 64 << 20;

  private ModelFiles() {}

  /**
   * Reads, parses and checks a model file. Warnings (if the front end ever reports any for a
   * good model) go to {@code err}.
   *
   * @throws UserException if the file cannot be read or is not UTF-8 text
   * @throws CompileException if the model has errors; it carries all of them
   */
  public static CheckedModel load(String file, PrintWriter err) throws CompileException {
    return load(file, null, err);
  }

  /** As {@link #load(String, PrintWriter)}, with the values of the model's data read from {@code dataFile} (may be null). */
  public static CheckedModel load(String file, String dataFile, PrintWriter err) throws CompileException {
    Loaded loaded = start(file, dataFile, err);
    loaded.dataChecked();
    return loaded.model();
  }

  /**
   * A model loaded as {@link #load(String, String, PrintWriter)} loads it, but for the check of
   * its data's domains, which runs on while the caller compiles the model ({@link #whileDataChecked}).
   */
  record Loaded(CheckedModel model, Background<Void> dataDomains) {
    /** Returns once the data's domains are checked; throws the check's {@link UserException}. */
    void dataChecked() {
      dataDomains.join();
    }

    /**
     * What {@code work} (a compile of the model) returns, once the data's domains are checked too.
     * A data error is reported before any failure of the work, as when the check came first.
     */
    <T> T whileDataChecked(Compile<T> work) throws CompileException {
      T result;
      try {
        result = work.run();
      } catch (CompileException | RuntimeException | Error e) {
        dataChecked();
        throw e;
      }
      dataChecked();
      return result;
    }
  }

  /** Work on a loaded model that may find errors in it. */
  interface Compile<T> {
    T run() throws CompileException;
  }

  /**
   * Reads, parses and checks a model file, its data file (may be null) read on a second thread
   * while the source is parsed; the check of the data's domains goes on in the background
   * ({@link Loaded}). Errors come in the order {@link #load} has always reported them: the model
   * file's, the data file's, the model's diagnostics, the data's domains.
   */
  static Loaded start(String file, String dataFile, PrintWriter err) throws CompileException {
    SourceFile source = read(file);
    Background<DataSet> values = dataFile == null ? Background.done(null)
        : Background.start("data", () -> data(dataFile));
    FrontEnd.Analysis analysis = FrontEnd.analyze(source, values::join);
    values.join();
    if (!analysis.ok()) {
      if (analysis.diagnostics().isEmpty()) {
        throw new IllegalStateException("the front end rejected " + file + " without a diagnostic");
      }
      throw new CompileException(analysis.diagnostics());
    }
    for (Diagnostic d : analysis.diagnostics()) {
      err.println(d.render());
    }
    CheckedModel model = analysis.model();
    if (dataFile != null && model.dataLayout().isEmpty()) {
      noteUnusedData(model.name(), dataFile, err);
    }
    Background<Void> domains = dataFile == null ? Background.done(null) : Background.start("data-domains", () -> {
      checkDataDomains(model, dataFile);
      return null;
    });
    return new Loaded(model, domains);
  }

  /**
   * Arguments fixed by the data alone (a scale, a count) that lie outside their domain: the log
   * density would be NaN at every point, so this is the data's error, reported before any work.
   */
  static void checkDataDomains(CheckedModel model, String dataFile) {
    DomainDiagnosis.Violation v = new DomainDiagnosis(model).inData();
    if (v != null) {
      String what = v.variable() != null ? v.variable() + (v.element() >= 0 ? "[" + v.element() + "]" : "")
          : "'" + v.text() + "'" + (v.element() >= 0 ? " element [" + v.element() + "]" : "");
      throw new UserException(dataFile + ": " + what + ": " + v.message());
    }
  }

  /** A data file given for a model without data is read (it must be valid) and not used, as extra members are. */
  private static void noteUnusedData(String model, String dataFile, PrintWriter err) {
    err.println("note: model '" + model + "' declares no data; " + dataFile + " is not used");
    err.flush();
  }

  /** The text of a model file, named as the user wrote it (diagnostics cite that name). */
  public static SourceFile read(String file) {
    if (file.isEmpty()) {
      throw new UserException("the model file name is empty");
    }
    Path path;
    try {
      path = Path.of(file);
    } catch (InvalidPathException e) {
      throw new UserException(file + ": not a valid file name (" + e.getReason() + ")");
    }
    if (Files.isDirectory(path)) {
      throw new UserException(file + ": is a directory, not a model file");
    }
    byte[] bytes;
    try {
      bytes = readText(file, path);
    } catch (NoSuchFileException e) {
      throw new UserException(file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new UserException(file + ": permission denied");
    } catch (IOException e) {
      throw new UserException(file + ": cannot read it (" + e.getMessage() + ")");
    } catch (OutOfMemoryError e) {
      throw new UserException(file + ": too large to read");
    }
    return new SourceFile(file, decode(file, bytes));
  }

  /**
   * The bytes of a text file, read in blocks: a NUL byte (no text holds one) or more than
   * {@link #MAX_MODEL_BYTES} stop the reading, so that a device or a pipe is never read without bound.
   */
  private static byte[] readText(String file, Path path) throws IOException {
    if (Files.isRegularFile(path) && Files.size(path) > MAX_MODEL_BYTES) {
      throw new UserException(file + ": " + Files.size(path) + " bytes; model files of at most " + MAX_MODEL_BYTES
          + " bytes are read");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] block = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(path)) {
      int n;
      while ((n = in.readNBytes(block, 0, block.length)) > 0) {
        for (int i = 0; i < n; i++) {
          if (block[i] == 0) {
            throw new UserException(file + ": not a text file: a NUL byte at byte offset " + (out.size() + i));
          }
        }
        if (out.size() + n > MAX_MODEL_BYTES) {
          throw new UserException(file + ": more than " + MAX_MODEL_BYTES + " bytes; model files of at most "
              + MAX_MODEL_BYTES + " bytes are read");
        }
        out.write(block, 0, n);
      }
    }
    return out.toByteArray();
  }

  /**
   * Decodes strict UTF-8, dropping a leading byte-order mark.
   *
   * @throws UserException naming the byte offset (and line) of the first invalid sequence
   */
  static String decode(String file, byte[] bytes) {
    try {
      return Utf8Text.decode(bytes);
    } catch (Utf8Text.MalformedException e) {
      throw new UserException(file + ": not a UTF-8 text file: " + e.getMessage() + "; save the model as UTF-8");
    }
  }

  /** Whether a command-line file names a compiled artifact (a .jar) rather than model source. */
  public static boolean isArtifact(String file) {
    return file.toLowerCase(Locale.ROOT).endsWith(".jar");
  }

  /** Opens an artifact, turning every problem with it into a one-line user error. */
  public static Artifact openArtifact(String file) {
    try {
      return Artifact.open(Path.of(file));
    } catch (ArtifactException e) {
      throw new UserException(e.getMessage());
    } catch (InvalidPathException e) {
      throw new UserException(file + ": not a valid file name");
    }
  }

  /** An artifact's log density, loaded; a corrupt class is a user error. */
  public static LogDensity logDensity(Artifact artifact) {
    try {
      return artifact.logDensity();
    } catch (ArtifactException e) {
      throw new UserException(e.getMessage());
    }
  }

  /** Reads a Stan-style JSON data file; every problem with it is a one-line user error. */
  public static DataSet data(String file) {
    try {
      return StanJson.read(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new UserException(file + ": no such file");
    } catch (IOException | InvalidPathException e) {
      throw new UserException(file + ": cannot read it (" + e.getMessage() + ")");
    } catch (DataException e) {
      throw new UserException(e.getMessage());
    }
  }

  /**
   * An artifact's data bound to it ({@code binding}, null for an artifact without data) and its
   * embedded source checked against the same values ({@code source}, which names arguments outside
   * their domain; null where that source does not check).
   */
  record BoundArtifact(DataBinding binding, CheckedModel source) {}

  /**
   * The binding of an artifact's data to the values in {@code dataFile}, or null for an artifact
   * without data (a data file given for it is read and noted on {@code err} as unused, as for a
   * source model); data missing or not fitting the artifact's declarations (fixed sizes included)
   * is a user error.
   */
  public static DataBinding binding(Artifact artifact, String dataFile, PrintWriter err) {
    return bind(artifact, dataFile, err).binding();
  }

  /** {@link #binding}, with the artifact's source checked against the same data. */
  static BoundArtifact bind(Artifact artifact, String dataFile, PrintWriter err) {
    // the artifact's own source, cited as the entry it is, says which arguments lie outside their domain
    SourceFile source = new SourceFile(artifact.file() + "!/" + Artifact.SOURCE, artifact.source());
    DataLayout layout = artifact.dataLayout();
    if (layout.isEmpty()) {
      if (dataFile != null) {
        data(dataFile);
        noteUnusedData(artifact.modelName(), dataFile, err);
      }
      FrontEnd.Analysis analysis = FrontEnd.analyze(source);
      return new BoundArtifact(null, analysis.ok() ? analysis.model() : null);
    }
    if (dataFile == null) {
      throw new UserException(artifact.file() + ": model '" + artifact.modelName()
          + "' declares data; give its values with --data FILE.json");
    }
    DataSet values = data(dataFile);
    DataBinding binding;
    try {
      binding = artifact.bind(layout.pack(values));
    } catch (DataException | ArtifactException e) {
      throw new UserException(e.getMessage());
    }
    FrontEnd.Analysis analysis = FrontEnd.analyze(source, values);
    if (!analysis.ok()) {
      return new BoundArtifact(binding, null);
    }
    checkDataDomains(analysis.model(), dataFile);
    return new BoundArtifact(binding, analysis.model());
  }
}
