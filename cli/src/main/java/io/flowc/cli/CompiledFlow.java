package io.flowc.cli;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.interp.DomainDiagnosis;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.ArtifactException;
import io.flowc.runtime.Background;
import io.flowc.runtime.LogDensity;
import io.flowc.compiler.driver.DerivedQuantities;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.Reported;
import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nfvi.StepCost;
import io.flowc.runtime.nfvi.StepSplit;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;

/**
 * A compiled (model, flow) pair, from source or from an artifact: what an NFVI fit needs.
 * {@code parameters} is the model's layout, whose bounds map draws to the values users see;
 * {@code reported} adds the model's derived quantities to them (an artifact's computed by its own code);
 * {@code diagnosis} names arguments outside their domain (null where the model's source does not check).
 * With {@code batches}, {@code kernel} is unbound: the batches bind it (code with free sizes).
 * {@code cost}: what the kernel costs, from which split steps are chunked (unknown: steps unsplit);
 * an artifact's as its metadata records it, or counted from its source when asked.
 */
record CompiledFlow(String name, LogDensity model, FlowKernel kernel, FlowLayout layout, ParameterLayout parameters,
    DomainDiagnosis diagnosis, DataBinding.Batches batches, Reported reported, Supplier<StepCost> cost) {
  /** The model in {@code modelFile} (source or artifact) and the flow, bound to the data in {@code dataFile} (may be null). */
  static CompiledFlow of(String modelFile, String dataFile, FlowFormula formula, int nmc, PrintWriter stderr)
      throws CompileException {
    return of(modelFile, dataFile, formula, nmc, null, stderr);
  }

  /**
   * As above; with {@code minibatch} (not null) the kernel runs on batches of that many rows. A
   * model file's kernel is compiled for steps of {@code nmc} draws (few draws: neural flows loop,
   * Compilation.loadCountedFlow); an artifact holds both kernels of such a formula and loads the
   * one for {@code nmc} draws.
   */
  static CompiledFlow of(String modelFile, String dataFile, FlowFormula formula, int nmc, Integer minibatch,
      PrintWriter stderr) throws CompileException {
    if (ModelFiles.isArtifact(modelFile)) {
      Artifact artifact = ModelFiles.openArtifact(modelFile);
      FlowLayout layout = formula.layout(artifact.dimension());
      FlowKernel kernel;
      try {
        kernel = artifact.flowKernel(formula.normalized(), layout, nmc);
      } catch (ArtifactException e) {
        boolean missing = !artifact.formulas().contains(formula.normalized());
        throw new UserException(e.getMessage() + (missing ? " (compile it in with flowc compile --flow)" : ""));
      }
      LogDensity density = ModelFiles.logDensity(artifact);
      ModelFiles.BoundArtifact bound = ModelFiles.bind(artifact, dataFile, stderr);
      DataBinding binding = bound.binding();
      DataBinding.Batches batches = null;
      if (minibatch != null) {
        List<String> notSums = binding == null || bound.source() == null ? List.of()
            : Minibatches.notSums(bound.source());
        batches = Minibatches.of(modelFile, artifact.modelName(), binding, notSums, minibatch);
      }
      if (binding != null) {
        kernel = batches != null ? kernel : binding.bind(kernel);
        density = binding.bind(density);
      }
      CheckedModel source = bound.source();
      DomainDiagnosis diagnosis = source == null ? null : new DomainDiagnosis(source);
      StepCost recorded = artifact.stepCost(formula.normalized(), nmc);
      Supplier<StepCost> cost = recorded.operationsPerDraw() > 0 || source == null ? () -> recorded
          : countedOnce(source, formula);
      Reported reported = artifact.reported(binding);
      return new CompiledFlow(artifact.modelName(), density, kernel, layout, reported.layout(), diagnosis, batches,
          reported, cost);
    }
    ModelFiles.Loaded loaded = ModelFiles.start(modelFile, dataFile, stderr);
    return loaded.whileDataChecked(() -> fromSource(loaded.model(), modelFile, formula, nmc, minibatch));
  }

  private static CompiledFlow fromSource(CheckedModel model, String modelFile, FlowFormula formula, int nmc,
      Integer minibatch) throws CompileException {
    FlowLayout layout = formula.layout(model.dimension());
    DomainDiagnosis diagnosis = new DomainDiagnosis(model);
    // the model's own log density (Pareto k, a Laplace start, plots) compiles beside the flow's kernel
    Background<LogDensity> density = Background.start("density", () -> Compilation.load(model));
    if (minibatch == null) {
      Compilation.CountedFlow flow = Compilation.loadCountedFlow(model, formula, nmc);
      return new CompiledFlow(model.name(), density.join(), flow.kernel(), layout, model.layout(), diagnosis,
          null, DerivedQuantities.of(model), flow::cost);
    }
    if (model.dataLayout().isEmpty()) {
      Minibatches.of(modelFile, model.name(), null, List.of(), minibatch);
    }
    Compilation.MinibatchFlow flow = Compilation.minibatchFlow(model, formula, nmc);
    DataBinding.Batches batches = Minibatches.of(modelFile, model.name(), flow.binding(),
        Compilation.termsNotSummedOverRows(flow.model()), minibatch);
    return new CompiledFlow(model.name(), density.join(), flow.kernel(), layout, model.layout(), diagnosis,
        batches, DerivedQuantities.of(model), () -> StepCost.UNKNOWN);
  }

  /**
   * The cost of an artifact's flow counted from its bound source (a lowering of the flow) when
   * first asked, and only then: a fit asks for it to split its steps and again for its report.
   */
  private static Supplier<StepCost> countedOnce(CheckedModel source, FlowFormula formula) {
    StepCost[] counted = new StepCost[1];
    return () -> counted[0] != null ? counted[0] : (counted[0] = Compilation.stepCost(source, formula));
  }

  /** The fit: on all rows, or on batches. */
  Nfvi nfvi() {
    return batches == null ? new Nfvi(kernel, model, layout) : Nfvi.minibatch(batches, kernel, model, layout);
  }

  /**
   * The fit with its steps split as {@link io.flowc.runtime.nfvi.StepSplit#rule} says, on up to
   * {@code threads} threads; fits on minibatches stay unsplit.
   */
  Nfvi nfvi(int threads) {
    return batches == null ? nfvi().withThreads(cost.get(), threads) : nfvi();
  }

  /** The chunks a step of {@code nmc} draws splits into (1: unsplit). */
  int stepChunks(int nmc) {
    StepSplit split = batches == null ? StepSplit.rule(cost.get(), nmc) : null;
    return split == null ? 1 : split.chunks();
  }
}
