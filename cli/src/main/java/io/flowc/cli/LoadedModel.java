package io.flowc.cli;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.ParameterLayout;
import java.io.PrintWriter;
import java.util.List;

/** A model ready to evaluate, from source or from an artifact: its name, density and parameters. */
record LoadedModel(String name, LogDensity density, ParameterLayout parameters) {
  static LoadedModel load(String file, PrintWriter err) throws CompileException {
    if (ModelFiles.isArtifact(file)) {
      Artifact artifact = ModelFiles.openArtifact(file);
      return new LoadedModel(artifact.modelName(), ModelFiles.logDensity(artifact), artifact.layout());
    }
    CheckedModel model = ModelFiles.load(file, err);
    return new LoadedModel(model.name(), Compilation.load(model), model.layout());
  }

  List<String> elements() {
    return parameters.elementNames();
  }

  int dimension() {
    return density.dimension();
  }
}
