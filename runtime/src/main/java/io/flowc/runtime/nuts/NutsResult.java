package io.flowc.runtime.nuts;

import io.flowc.runtime.ParameterLayout;
import java.util.List;

/**
 * The draws of a NUTS run after tuning, {@code draws[chain][draw][element]}, with each chain's
 * statistics.
 */
public record NutsResult(double[][][] draws, List<ChainStats> chainStats, NutsSettings settings, double seconds) {
  public NutsResult {
    chainStats = List.copyOf(chainStats);
  }

  public int chains() {
    return draws.length;
  }

  /** Draws kept per chain. */
  public int drawsPerChain() {
    return settings.draws();
  }

  public int dimension() {
    return draws.length == 0 || draws[0].length == 0 ? 0 : draws[0][0].length;
  }

  /**
   * The same run with its draws on the constrained scale of {@code parameters} (bounded
   * parameters inside their bounds): what users see; NUTS moves on the unconstrained scale.
   */
  public NutsResult constrained(ParameterLayout parameters) {
    if (!parameters.isConstrained()) {
      return this;
    }
    double[][][] out = new double[draws.length][][];
    for (int c = 0; c < draws.length; c++) {
      out[c] = new double[draws[c].length][parameters.dimension()];
      for (int s = 0; s < draws[c].length; s++) {
        parameters.constrain(draws[c][s], out[c][s]);
      }
    }
    return new NutsResult(out, chainStats, settings, seconds);
  }

  /**
   * The same run with its draws as {@code reported} reports them: the parameters on the
   * constrained scale, then the model's derived quantities.
   */
  public NutsResult reported(io.flowc.runtime.Reported reported) {
    double[][][] out = new double[draws.length][][];
    for (int c = 0; c < draws.length; c++) {
      out[c] = reported.rows(draws[c]);
    }
    return new NutsResult(out, chainStats, settings, seconds);
  }

  /** One element's draws, {@code [chain][draw]}: what the convergence diagnostics take. */
  public double[][] element(int k) {
    double[][] out = new double[draws.length][];
    for (int c = 0; c < draws.length; c++) {
      out[c] = new double[draws[c].length];
      for (int i = 0; i < draws[c].length; i++) {
        out[c][i] = draws[c][i][k];
      }
    }
    return out;
  }

  /** Divergences after tuning, all chains. */
  public int divergences() {
    return chainStats.stream().mapToInt(ChainStats::divergences).sum();
  }

  /** Gradient evaluations of all chains, tuning included. */
  public long gradientEvaluations() {
    return chainStats.stream().mapToLong(ChainStats::gradientEvaluations).sum();
  }
}
