package io.flowc.compiler.driver;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.simulate.Simulation;
import io.flowc.compiler.simulate.Simulator;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.calibration.Sbc;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.many.ManyFits;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Simulation-based calibration of a model from its source ({@link Sbc}): the model's simulator
 * draws each simulation, the many-fits engine fits it. Simulation k is drawn with {@link
 * Simulator#random}(seed, k), the stream {@code flowc simulate} draws its line k with, and fitted
 * as the data set with id {@code "k"}.
 */
public final class CalibrationRun {
  private final Simulator simulator;
  private final DataSet base;
  private final ManyFits engine;

  private CalibrationRun(Simulator simulator, DataSet base, ManyFits engine) {
    this.simulator = simulator;
    this.base = base;
    this.engine = engine;
  }

  /**
   * Compiles the model once, as {@code fit-many} does (sizes that only count rows left free, the
   * method's flow compiled in), for fits of its simulations.
   *
   * @param model the model checked for simulation ({@link Simulator#check})
   * @param base the data not drawn (sizes, predictors)
   * @throws CompileException if the model cannot be simulated, with the reasons at their places
   */
  public static CalibrationRun of(CheckedModel model, DataSet base, FitMethod method, long seed)
      throws CompileException, IOException {
    Simulator simulator = Simulator.of(model);
    List<FlowFormula> formulas = method instanceof FitMethod.Nfvi nfvi
        ? List.of(FlowFormulaParsing.parse(nfvi.formula())) : List.of();
    for (FlowFormula f : formulas) {
      f.layout(model.dimension()); // what the model's dimension forbids, at the formula's column
    }
    Artifact artifact = ArtifactWriter.open(Compilation.freeSizes(model), formulas);
    return new CalibrationRun(simulator, base, ManyFits.of(artifact, new DataSet("no common data", Map.of()), method,
        seed));
  }

  public ManyFits engine() {
    return engine;
  }

  /** Simulation k: the true parameters and the data drawn with them. */
  public Sbc.Simulated simulate(int k) {
    Simulation s = simulator.simulate(base, Simulator.random(engine.baseSeed(), k));
    return new Sbc.Simulated(s.parameters(), s.data());
  }

  /** Runs {@code sims} simulations with ranks among {@code draws} posterior draws on {@code threads} threads. */
  public Sbc.Report run(int sims, int draws, int threads) throws InterruptedException {
    return run(sims, draws, threads, (done, failed) -> { });
  }

  /** As above, telling {@code progress} of each simulation done. */
  public Sbc.Report run(int sims, int draws, int threads, Sbc.Progress progress) throws InterruptedException {
    return Sbc.run(new Sbc.Settings(sims, draws, threads, engine.baseSeed(),
        engine.method() instanceof FitMethod.Nuts), engine.elementNames(), this::simulate, engine::fitWithDraws,
        progress);
  }
}
