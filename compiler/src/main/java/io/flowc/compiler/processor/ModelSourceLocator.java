package io.flowc.compiler.processor;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.diag.Utf8Text;
import io.flowc.runtime.data.DataException;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import javax.annotation.processing.Filer;
import javax.lang.model.element.TypeElement;
import javax.tools.FileObject;
import javax.tools.JavaFileManager;
import javax.tools.StandardLocation;

/**
 * Finds the text of a model: {@code code} as given, or the {@code source} resource through the
 * Filer. Resources are looked up from the root, as {@code ClassLoader.getResource} does, on the
 * source path (models kept next to the Java sources), then on the class path and in the class
 * output directory (Maven copies {@code src/main/resources} to {@code target/classes}, which is
 * both, before it compiles).
 */
final class ModelSourceLocator {
  static final List<JavaFileManager.Location> LOCATIONS =
      List.of(StandardLocation.SOURCE_PATH, StandardLocation.CLASS_PATH, StandardLocation.CLASS_OUTPUT);

  private final Filer filer;

  ModelSourceLocator(Filer filer) {
    this.filer = filer;
  }

  /** The model as a source file named as diagnostics should cite it, or empty after an error. */
  Optional<SourceFile> read(FlowModelRequest request, ElementReporter errors) {
    if (request.code().given()) {
      return Optional.of(new SourceFile(inlineName(request.type()), request.code().text()));
    }
    String name = resourceName(request.source().text());
    for (JavaFileManager.Location location : LOCATIONS) {
      byte[] bytes = bytes(location, name);
      if (bytes != null) {
        try {
          return Optional.of(new SourceFile(name, Utf8Text.decode(bytes)));
        } catch (Utf8Text.MalformedException e) {
          errors.error(name + ": not a UTF-8 text file: " + e.getMessage() + "; save the model as UTF-8",
              request.source().at());
          return Optional.empty();
        }
      }
    }
    errors.error("model source '" + name + "' not found on the source path, the class path or the class output "
        + "directory (in a Maven build, put it at src/main/resources/" + name + ", or under src/test/resources "
        + "for test code)", request.source().at());
    return Optional.empty();
  }

  /** The data named by {@code @FlowModel(data)}, or empty (none given, or after an error). */
  Optional<DataSet> data(FlowModelRequest request, ElementReporter errors) {
    if (!request.data().given()) {
      return Optional.empty();
    }
    String name = resourceName(request.data().text());
    for (JavaFileManager.Location location : LOCATIONS) {
      byte[] bytes = bytes(location, name);
      if (bytes != null) {
        try {
          return Optional.of(StanJson.parse(Utf8Text.decode(bytes), name));
        } catch (Utf8Text.MalformedException e) {
          errors.error(name + ": not a UTF-8 text file: " + e.getMessage(), request.data().at());
        } catch (DataException e) {
          errors.error(e.getMessage(), request.data().at());
        }
        return Optional.empty();
      }
    }
    errors.error("data '" + name + "' not found on the source path, the class path or the class output directory",
        request.data().at());
    return Optional.empty();
  }

  /** How diagnostics cite an inline model: {@code <code of example.Pot1>:3:13}. */
  static String inlineName(TypeElement type) {
    return "<code of " + type.getQualifiedName() + ">";
  }

  /** A resource name from the root: a leading '/' (Class.getResource's absolute form) is dropped. */
  static String resourceName(String source) {
    String name = source.strip();
    while (name.startsWith("/")) {
      name = name.substring(1);
    }
    return name;
  }

  /** The resource's bytes at one location, or null where it is not (or the location does not exist). */
  private byte[] bytes(JavaFileManager.Location location, String name) {
    try {
      FileObject file = filer.getResource(location, "", name);
      try (InputStream in = file.openInputStream()) {
        return in.readAllBytes();
      }
    } catch (IOException | IllegalArgumentException | UnsupportedOperationException | SecurityException e) {
      // absent here, or this location is not set up in this compilation: try the next one
      return null;
    }
  }
}
