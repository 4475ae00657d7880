package io.flowc.runtime.nuts;

/**
 * One chain's per-draw sampler statistics after tuning (PyMC3's sample stats) and its totals.
 *
 * @param logDensity the model's log density at the draw (unconstrained scale, Jacobian included): Stan's lp__
 * @param diverging whether the draw's trajectory diverged
 * @param treeDepth doublings of the draw's trajectory
 * @param energy the Hamiltonian at the draw
 * @param energyError the draw's energy minus the trajectory's starting energy
 * @param stepSize the step size used
 * @param meanTreeAccept PyMC3's acceptance statistic (what step-size adaptation targets)
 * @param leapfrogSteps leapfrog steps (gradient evaluations) of the draw's trajectory
 * @param reachedMaxTreeDepth whether the trajectory stopped at the maximum depth
 * @param gradientEvaluations all gradient evaluations of the chain, tuning included
 * @param tuningGradientEvaluations those made while tuning (and at the start)
 * @param tuningDivergences divergences during tuning (not warned about, as in PyMC3)
 * @param inverseMassDiagonal the adapted inverse mass matrix diagonal
 * @param tuningSeconds the wall time of the tuning iterations (and the start)
 * @param seconds the chain's wall time
 */
public record ChainStats(double[] logDensity, boolean[] diverging, int[] treeDepth, double[] energy, double[] energyError,
    double[] stepSize, double[] meanTreeAccept, int[] leapfrogSteps, boolean[] reachedMaxTreeDepth,
    long gradientEvaluations, long tuningGradientEvaluations, int tuningDivergences, double[] inverseMassDiagonal,
    double tuningSeconds, double seconds) {

  /** Draws kept. */
  public int draws() {
    return diverging.length;
  }

  /** Divergences after tuning. */
  public int divergences() {
    int n = 0;
    for (boolean d : diverging) {
      n += d ? 1 : 0;
    }
    return n;
  }

  /** Draws after tuning whose trajectory hit the maximum tree depth. */
  public int maxTreeDepthHits() {
    int n = 0;
    for (boolean d : reachedMaxTreeDepth) {
      n += d ? 1 : 0;
    }
    return n;
  }

  /** The mean acceptance statistic after tuning (NaN without draws). */
  public double meanAcceptance() {
    double s = 0;
    for (double a : meanTreeAccept) {
      s += a;
    }
    return s / meanTreeAccept.length;
  }

  /** The step size after tuning (the last one used; NaN without draws). */
  public double finalStepSize() {
    return stepSize.length == 0 ? Double.NaN : stepSize[stepSize.length - 1];
  }
}
