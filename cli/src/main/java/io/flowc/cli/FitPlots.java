package io.flowc.cli;

import io.flowc.plot.DensityGrid;
import io.flowc.plot.Figure;
import io.flowc.plot.FitFigure;
import io.flowc.plot.TrackerFigure;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.PyFormat;
import io.flowc.runtime.nfvi.Tracker;
import java.util.List;
import java.util.Locale;

/** The pictures of {@code flowc fit}: the fit figure and the tracker figure. */
final class FitPlots {
  private FitPlots() {}

  /**
   * The flow's draws over the target (2-d; in the asked window, else the notebook's unless the
   * draws lie elsewhere) or pairs of elements, and the loss history. The draws are on the
   * constrained scale; the compiled density is on the unconstrained one, so a model with bounded
   * parameters gets its draws without the density under them.
   */
  static Figure fit(String model, String formula, LogDensity density, ParameterLayout parameters, double[][] draws,
      Fit fit, String settings, WindowOptions window) {
    DensityGrid target = null;
    if (density.dimension() == 2 && !parameters.isConstrained()) {
      target = DensityGrid.of(density, window.boxFor(draws), window.resolution());
    }
    String note = String.format(Locale.ROOT, "%d draws from the fitted flow; %s; average loss %s", draws.length,
        settings, PyFormat.commaG5(fit.averageLoss()));
    return FitFigure.of(model + ": NFVI with " + formula, note, target, parameters.elementNames(), draws,
        fit.history());
  }

  static Figure tracker(String model, String formula, Tracker tracker, List<String> parameterNames, int every,
      int maxParameters) {
    List<Integer> iterations = tracker.iterations();
    int[] its = iterations.stream().mapToInt(Integer::intValue).toArray();
    return TrackerFigure.of(model + ": " + formula + ", tracked parameters and gradients",
        "every " + every + " iterations; gradients are fresh one-draw estimates, as in the notebook", parameterNames,
        its, tracker.parameters().toArray(double[][]::new), tracker.gradients().toArray(double[][]::new),
        maxParameters);
  }
}
