package io.flowc.runtime.diagnostics;

import java.util.List;

/** Convergence diagnostics for MCMC draws: rank-normalized split R-hat, bulk and tail ESS, MCSE. */
public final class Convergence {

  private Convergence() {}

  public static double rHat(double[][] chains) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public static double essBulk(double[][] chains) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public static double essTail(double[][] chains) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public static double mcseMean(double[][] chains) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public static ParameterSummary summarize(String name, double[][] chains) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public static List<String> warnings(List<ParameterSummary> summaries, int chains) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
