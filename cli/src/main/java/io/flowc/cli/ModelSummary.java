package io.flowc.cli;

import io.flowc.compiler.frontend.Ast;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.ArtifactException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the commands show about a model, from its source or from a compiled artifact alike: its
 * name, its parameters (size 0 for a scalar) and its number of contributions.
 */
record ModelSummary(String name, List<Param> params, long potentialTerms, long logpTerms) {

  record Param(String name, int size) {
    boolean isScalar() {
      return size == 0;
    }
  }

  static ModelSummary of(CheckedModel model) {
    return new ModelSummary(model.name(),
        model.params().stream().map(p -> new Param(p.name(), p.size())).toList(),
        model.count(Ast.ContributionKind.POTENTIAL), model.count(Ast.ContributionKind.LOGP));
  }

  static ModelSummary of(Artifact artifact) {
    List<Param> params = new ArrayList<>();
    try {
      String text = artifact.property(Artifact.KEY_PARAMS);
      for (String p : text == null || text.isEmpty() ? new String[0] : text.split(",")) {
        int colon = p.lastIndexOf(':');
        params.add(new Param(p.substring(0, colon), Integer.parseInt(p.substring(colon + 1))));
      }
      return new ModelSummary(artifact.modelName(), params,
          Long.parseLong(artifact.property(Artifact.KEY_POTENTIAL_TERMS)),
          Long.parseLong(artifact.property(Artifact.KEY_LOGP_TERMS)));
    } catch (RuntimeException e) {
      throw new ArtifactException(artifact.file() + ": corrupt flowc artifact (bad parameter metadata)", e);
    }
  }

  int dimension() {
    return params.stream().mapToInt(p -> Math.max(1, p.size())).sum();
  }
}
