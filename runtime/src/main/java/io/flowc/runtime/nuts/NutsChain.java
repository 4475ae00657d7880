package io.flowc.runtime.nuts;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.nfvi.Draws;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One chain of PyMC3's NUTS step: per iteration a fresh momentum from the current mass matrix,
 * one {@link Trajectory} transition, then (while tuning) dual averaging of the step size and the
 * diagonal mass-matrix update from the new position. Everything the iterations touch is
 * allocated here, before the first one.
 */
final class NutsChain {
  /** PyMC3's step_scale: the initial step size is step_scale / d^(1/4). */
  static final double STEP_SCALE = 0.25;

  /** A chain's kept draws and statistics. */
  record Output(double[][] draws, ChainStats stats) {}

  private NutsChain() {}

  static Output run(LogDensity density, NutsSettings settings, int chain, double[] start, double[] adaptationMean,
      NutsProgress progress) {
    long began = System.nanoTime();
    int n = density.dimension();
    SplittableRandom random = new SplittableRandom(Draws.streamSeed(settings.seed(), Draws.NUTS_CHAINS - chain));
    double[] inverseMass = new double[n];
    DiagonalMassAdaptation mass = new DiagonalMassAdaptation(adaptationMean, inverseMass);
    Hamiltonian hamiltonian = new Hamiltonian(density, inverseMass);
    DualAveraging stepSizes = new DualAveraging(STEP_SCALE / Math.pow(n, 0.25), settings.targetAccept());
    Trajectory trajectory = new Trajectory(hamiltonian, random,
        Math.max(settings.maxTreeDepth(), settings.earlyMaxTreeDepth()));

    PhaseState state = new PhaseState(n);
    System.arraycopy(start, 0, state.q, 0, n);
    hamiltonian.evaluatePosition(state);
    if (!Double.isFinite(state.logp)) {
      throw new SamplingException("chain " + chain + ": bad initial energy: the log density is " + state.logp
          + " at the starting point " + Arrays.toString(start));
    }

    int tune = settings.tune();
    int draws = settings.draws();
    double[][] kept = new double[draws][];
    boolean[] diverging = new boolean[draws];
    int[] depth = new int[draws];
    double[] energy = new double[draws];
    double[] energyError = new double[draws];
    double[] stepSize = new double[draws];
    double[] accept = new double[draws];
    int[] steps = new int[draws];
    boolean[] maxDepthHit = new boolean[draws];
    int tuningDivergences = 0;
    long tuningGradients = 0;

    for (int i = 0; i < tune + draws; i++) {
      boolean tuning = i < tune;
      if (i == tune) {
        tuningGradients = hamiltonian.gradientEvaluations();
      }
      for (int k = 0; k < n; k++) {
        state.p[k] = random.nextGaussian() / Math.sqrt(inverseMass[k]);
      }
      hamiltonian.updateKinetic(state);
      if (!Double.isFinite(state.energy)) {
        throw new SamplingException("chain " + chain + ": bad initial energy " + state.energy + " at iteration " + i
            + " (position " + Arrays.toString(state.q) + ")");
      }
      double eps = stepSizes.current(tuning);
      int maxDepth = tuning && i < NutsSettings.EARLY_ITERATIONS ? settings.earlyMaxTreeDepth() : settings.maxTreeDepth();
      trajectory.transition(state, eps, maxDepth);
      double acceptStat = trajectory.meanTreeAccept();
      stepSizes.update(acceptStat, tuning);
      trajectory.copyProposal(state);
      mass.update(state.q, tuning);
      if (tuning) {
        tuningDivergences += trajectory.diverging() ? 1 : 0;
      } else {
        int d = i - tune;
        kept[d] = state.q.clone();
        diverging[d] = trajectory.diverging();
        depth[d] = trajectory.depth();
        energy[d] = trajectory.proposalEnergy();
        energyError[d] = trajectory.energyError();
        stepSize[d] = eps;
        accept[d] = acceptStat;
        steps[d] = trajectory.leapfrogSteps();
        maxDepthHit[d] = trajectory.reachedMaxDepth();
      }
      if (progress != null) {
        progress.iterationDone(chain, i + 1);
      }
    }
    if (draws == 0) {
      tuningGradients = hamiltonian.gradientEvaluations();
    }
    ChainStats stats = new ChainStats(diverging, depth, energy, energyError, stepSize, accept, steps, maxDepthHit,
        hamiltonian.gradientEvaluations(), tuningGradients, tuningDivergences, inverseMass.clone(),
        (System.nanoTime() - began) / 1e9);
    return new Output(kept, stats);
  }
}
