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
 *
 * <p>A chain whose position stops being finite has run off to infinity (the posterior has no
 * finite mass in some direction): it stops there and returns the draws kept before, with a
 * {@link Runaway} saying where.
 */
final class NutsChain {
  /** PyMC3's step_scale: the initial step size is step_scale / d^(1/4). */
  static final double STEP_SCALE = 0.25;

  /** A chain's kept draws and statistics, and where it ran off to infinity (null if it did not). */
  record Output(double[][] draws, ChainStats stats, Runaway runaway) {}

  /**
   * Where a chain's position stopped being finite: at {@code iteration} (from 0, tuning included),
   * element {@code element} became {@code value}.
   */
  record Runaway(int chain, int iteration, int element, double value) {}

  private NutsChain() {}

  static Output run(LogDensity density, NutsSettings settings, int chain, double[] start, double[] adaptationMean,
      NutsProgress progress) {
    long began = System.nanoTime();
    int n = density.dimension();
    SplittableRandom random = new SplittableRandom(Draws.streamSeed(settings.seed(), Draws.NUTS_CHAINS - chain));
    double[] inverseMass = new double[n];
    DiagonalMassAdaptation mass = new DiagonalMassAdaptation(adaptationMean, inverseMass);
    Hamiltonian hamiltonian = new Hamiltonian(density, inverseMass);
    DualAveraging stepSizes = new DualAveraging(Nuts.initialStepSize(n), settings.targetAccept());
    Trajectory trajectory = new Trajectory(hamiltonian, random,
        Math.max(settings.maxTreeDepth(), settings.earlyMaxTreeDepth()));

    PhaseState state = new PhaseState(n);
    System.arraycopy(start, 0, state.q, 0, n);
    hamiltonian.evaluatePosition(state);
    if (!Double.isFinite(state.logp)) {
      throw new SamplingException("chain " + chain + ": bad initial energy: the log density is " + state.logp
          + " at the starting point " + Arrays.toString(start), start);
    }

    int tune = settings.tune();
    int draws = settings.draws();
    Kept kept = new Kept(draws);
    int tuningDivergences = 0;
    long tuningGradients = 0;
    long tuned = began;

    for (int i = 0; i < tune + draws; i++) {
      boolean tuning = i < tune;
      if (i == tune) {
        tuningGradients = hamiltonian.gradientEvaluations();
        tuned = System.nanoTime();
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
      int nonFinite = firstNonFinite(state.q);
      if (nonFinite >= 0) {
        // proposals are taken only where the energy is finite, so the log density ignores this
        // element here: a flat direction the chain drifted along until it overflowed
        Runaway runaway = new Runaway(chain, i, nonFinite, state.q[nonFinite]);
        long gradients = hamiltonian.gradientEvaluations();
        ChainStats stats = kept.stats(Math.max(0, i - tune), gradients, tuning ? gradients : tuningGradients,
            tuningDivergences, inverseMass, began, tuning ? System.nanoTime() : tuned);
        return new Output(Arrays.copyOf(kept.draws, Math.max(0, i - tune)), stats, runaway);
      }
      mass.update(state.q, tuning);
      if (tuning) {
        tuningDivergences += trajectory.diverging() ? 1 : 0;
      } else {
        kept.add(i - tune, state, trajectory, eps, acceptStat);
      }
      if (progress != null) {
        progress.iterationDone(chain, i + 1);
      }
    }
    if (draws == 0) {
      tuningGradients = hamiltonian.gradientEvaluations();
      tuned = System.nanoTime();
    }
    ChainStats stats = kept.stats(draws, hamiltonian.gradientEvaluations(), tuningGradients, tuningDivergences,
        inverseMass, began, tuned);
    return new Output(kept.draws, stats, null);
  }

  /** The index of the first element of {@code q} that is NaN or infinite, or -1. */
  static int firstNonFinite(double[] q) {
    for (int k = 0; k < q.length; k++) {
      if (!Double.isFinite(q[k])) {
        return k;
      }
    }
    return -1;
  }

  /** The draws kept after tuning and their per-draw statistics. */
  private static final class Kept {
    final double[][] draws;
    final double[] logDensity;
    final boolean[] diverging;
    final int[] depth;
    final double[] energy;
    final double[] energyError;
    final double[] stepSize;
    final double[] accept;
    final int[] steps;
    final boolean[] maxDepthHit;

    Kept(int n) {
      draws = new double[n][];
      logDensity = new double[n];
      diverging = new boolean[n];
      depth = new int[n];
      energy = new double[n];
      energyError = new double[n];
      stepSize = new double[n];
      accept = new double[n];
      steps = new int[n];
      maxDepthHit = new boolean[n];
    }

    void add(int d, PhaseState state, Trajectory trajectory, double eps, double acceptStat) {
      draws[d] = state.q.clone();
      logDensity[d] = state.logp;
      diverging[d] = trajectory.diverging();
      depth[d] = trajectory.depth();
      energy[d] = trajectory.proposalEnergy();
      energyError[d] = trajectory.energyError();
      stepSize[d] = eps;
      accept[d] = acceptStat;
      steps[d] = trajectory.leapfrogSteps();
      maxDepthHit[d] = trajectory.reachedMaxDepth();
    }

    /** The statistics of the first {@code count} draws. */
    ChainStats stats(int count, long gradients, long tuningGradients, int tuningDivergences, double[] inverseMass,
        long began, long tuned) {
      return new ChainStats(Arrays.copyOf(logDensity, count), Arrays.copyOf(diverging, count), Arrays.copyOf(depth, count),
          Arrays.copyOf(energy, count), Arrays.copyOf(energyError, count), Arrays.copyOf(stepSize, count),
          Arrays.copyOf(accept, count), Arrays.copyOf(steps, count), Arrays.copyOf(maxDepthHit, count), gradients,
          tuningGradients, tuningDivergences, inverseMass.clone(), (tuned - began) / 1e9,
          (System.nanoTime() - began) / 1e9);
    }
  }
}
