package io.flowc.cli;

import io.flowc.plot.Figure;
import io.flowc.plot.NutsFigure;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.nuts.NutsResult;
import java.util.Locale;

/** The NUTS pictures: traces and joint draws, and the draws on the scale users see. */
final class NutsPlots {
  private NutsPlots() {}

  static Figure nuts(String model, ParameterLayout parameters, NutsResult result) {
    String note = String.format(Locale.ROOT, "%d chains x %d draws after %d tuning iterations; %d divergence%s",
        result.chains(), result.drawsPerChain(), result.settings().tune(), result.divergences(),
        result.divergences() == 1 ? "" : "s");
    return NutsFigure.of(model + ": NUTS", note, parameters.elementNames(), result.constrained(parameters).draws());
  }

  /** All chains' draws, one after the other. */
  static double[][] pooled(double[][][] chains) {
    int n = 0;
    for (double[][] chain : chains) {
      n += chain.length;
    }
    double[][] rows = new double[n][];
    int k = 0;
    for (double[][] chain : chains) {
      for (double[] row : chain) {
        rows[k++] = row;
      }
    }
    return rows;
  }
}
