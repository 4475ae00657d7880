package io.flowc.compiler;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find the repository, the module's test resources and the shared reference data. */
public final class TestPaths {
  private TestPaths() {}

  /** The repository root: system property {@code flowc.root.dir}, else the parent of the module directory. */
  public static Path repoRoot() {
    String root = System.getProperty("flowc.root.dir");
    if (root != null && !root.isBlank()) {
      return Path.of(root).toAbsolutePath().normalize();
    }
    Path here = Path.of("").toAbsolutePath();
    return Files.isDirectory(here.resolve("examples")) ? here : here.getParent();
  }

  /** The folder holding DESIGN.md and reference/: system property {@code flowc.shared.dir}. */
  public static Path sharedDir() {
    String shared = System.getProperty("flowc.shared.dir");
    return shared != null && !shared.isBlank()
        ? Path.of(shared).toAbsolutePath().normalize()
        : repoRoot().resolve("../shared").normalize();
  }

  public static Path examples() {
    return repoRoot().resolve("examples");
  }

  public static Path example(String name) {
    return examples().resolve(name + ".flow");
  }

  /** The data of an example model: the Stan-style JSON file beside it (same name), or null if it has none. */
  public static DataSet exampleData(Path flowFile) {
    Path json = flowFile.resolveSibling(flowFile.getFileName().toString().replaceFirst("\\.flow$", ".json"));
    try {
      return Files.exists(json) ? StanJson.read(json) : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + json, e);
    }
  }

  /** An example model checked with its data (if it has any). */
  public static CheckedModel checkExample(Path flowFile) throws IOException, CompileException {
    return FrontEnd.check(new SourceFile(flowFile.getFileName().toString(), Files.readString(flowFile)),
        exampleData(flowFile));
  }

  /** This module's test resources in the source tree (golden files are read and rewritten there). */
  public static Path testResources() {
    return repoRoot().resolve("compiler/src/test/resources");
  }
}
