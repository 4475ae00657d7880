package io.flowc.cli;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.interp.DomainDiagnosis;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.ArtifactException;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import java.io.PrintWriter;

/**
 * A compiled (model, flow) pair, from source or from an artifact: what an NFVI fit needs.
 * {@code parameters} is the model's layout, whose bounds map draws to the values users see;
 * {@code diagnosis} names arguments outside their domain (null where the model's source does not check).
 */
record CompiledFlow(String name, LogDensity model, FlowKernel kernel, FlowLayout layout, ParameterLayout parameters,
    DomainDiagnosis diagnosis) {
  /** The model in {@code modelFile} (source or artifact) and the flow, bound to the data in {@code dataFile} (may be null). */
  static CompiledFlow of(String modelFile, String dataFile, FlowFormula formula, PrintWriter stderr)
      throws CompileException {
    if (ModelFiles.isArtifact(modelFile)) {
      Artifact artifact = ModelFiles.openArtifact(modelFile);
      FlowLayout layout = FlowLayout.of(formula.flows(), artifact.dimension());
      FlowKernel kernel;
      try {
        kernel = artifact.flowKernel(formula.normalized(), layout);
      } catch (ArtifactException e) {
        boolean missing = !artifact.formulas().contains(formula.normalized());
        throw new UserException(e.getMessage() + (missing ? " (compile it in with flowc compile --flow)" : ""));
      }
      LogDensity density = ModelFiles.logDensity(artifact);
      ModelFiles.BoundArtifact bound = ModelFiles.bind(artifact, dataFile, stderr);
      if (bound.binding() != null) {
        kernel = bound.binding().bind(kernel);
        density = bound.binding().bind(density);
      }
      return new CompiledFlow(artifact.modelName(), density, kernel, layout, artifact.layout(),
          bound.source() == null ? null : new DomainDiagnosis(bound.source()));
    }
    CheckedModel model = ModelFiles.load(modelFile, dataFile, stderr);
    FlowLayout layout = FlowLayout.of(formula.flows(), model.dimension());
    return new CompiledFlow(model.name(), Compilation.load(model), Compilation.loadFlow(model, formula), layout,
        model.layout(), new DomainDiagnosis(model));
  }
}
