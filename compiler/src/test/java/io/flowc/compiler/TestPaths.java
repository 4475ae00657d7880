package io.flowc.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find the repository, the module's test resources and the reference data (reference/). */
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

  /**
   * A file of the repository's reference data, {@code reference/<relative>} (sources and licences
   * in reference/README.md). A missing file fails the test: a check against a reference must not
   * quietly stop checking.
   */
  public static Path reference(String relative) {
    Path file = repoRoot().resolve("reference").resolve(relative);
    if (!Files.isRegularFile(file)) {
      throw new AssertionError("missing reference file " + file + " (see reference/README.md)");
    }
    return file;
  }

  /** A reference JSON file, parsed. */
  public static JsonNode referenceJson(String relative) {
    Path file = reference(relative);
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** One of the notebook's potentials (pot1..pot4) in reference/potentials.json: log Z, moments, quantiles, values. */
  public static JsonNode potential(String name) {
    JsonNode potential = referenceJson("potentials.json").path("potentials").path(name);
    if (!potential.isObject()) {
      throw new AssertionError("reference/potentials.json has no potential " + name);
    }
    return potential;
  }

  /** posteriordb's reference summaries of a posterior: reference/posteriordb/POSTERIOR/reference.json. */
  public static JsonNode posteriorDbReference(String posterior) {
    return referenceJson("posteriordb/" + posterior + "/reference.json");
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
