package io.flowc.cli;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.LogDensity;
import java.io.PrintWriter;
import java.util.List;

/** A model ready to evaluate, from source or from an artifact: its name, density and element names. */
record LoadedModel(String name, LogDensity density, List<String> elements) {
  static LoadedModel load(String file, PrintWriter err) throws CompileException {
    if (ModelFiles.isArtifact(file)) {
      Artifact artifact = ModelFiles.openArtifact(file);
      return new LoadedModel(artifact.modelName(), ModelFiles.logDensity(artifact), artifact.elementNames());
    }
    CheckedModel model = ModelFiles.load(file, err);
    return new LoadedModel(model.name(), Compilation.load(model), model.elementNames());
  }

  int dimension() {
    return density.dimension();
  }
}
