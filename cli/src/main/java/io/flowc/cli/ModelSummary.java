package io.flowc.cli;

import io.flowc.compiler.frontend.Ast;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.ParameterLayout;

/**
 * What the commands show about a model, from its source or from a compiled artifact alike: its
 * name, its parameter layout and its number of contributions.
 */
record ModelSummary(String name, ParameterLayout layout, long potentialTerms, long logpTerms) {

  static ModelSummary of(CheckedModel model) {
    return new ModelSummary(model.name(), model.layout(), model.count(Ast.ContributionKind.POTENTIAL),
        model.count(Ast.ContributionKind.LOGP));
  }

  static ModelSummary of(Artifact artifact) {
    return new ModelSummary(artifact.modelName(), artifact.layout(), artifact.potentialTerms(), artifact.logpTerms());
  }

  int dimension() {
    return layout.dimension();
  }
}
