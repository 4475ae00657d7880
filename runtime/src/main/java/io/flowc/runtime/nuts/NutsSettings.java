package io.flowc.runtime.nuts;

import java.util.Arrays;

/**
 * What {@link Nuts#sample} does, with PyMC3 3.9's {@code pm.sample} defaults: 1000 draws after
 * 1000 tuning iterations per chain, target acceptance 0.8, maximum tree depth 10 (8 during the
 * first 200 tuning iterations).
 *
 * @param draws iterations kept per chain
 * @param tune tuning iterations per chain (step size and mass matrix adaptation), discarded
 * @param chains independent chains
 * @param targetAccept the acceptance statistic the step size adapts to, in (0, 1)
 * @param maxTreeDepth the most doublings of a trajectory
 * @param earlyMaxTreeDepth the most doublings during the first 200 tuning iterations
 * @param seed the random seed: every chain has its own stream derived from it
 * @param threads chains run in parallel on up to this many threads; the draws do not depend on it
 * @param starts null for PyMC3's jitter+adapt_diag starts (the origin plus uniform(-1, 1) noise per
 *     element), else one starting point for all chains or one per chain
 */
public record NutsSettings(int draws, int tune, int chains, double targetAccept, int maxTreeDepth,
    int earlyMaxTreeDepth, long seed, int threads, double[][] starts) {
  public static final int DEFAULT_DRAWS = 1000;
  public static final int DEFAULT_TUNE = 1000;
  public static final double DEFAULT_TARGET_ACCEPT = 0.8;
  public static final int DEFAULT_MAX_TREE_DEPTH = 10;
  public static final int DEFAULT_EARLY_MAX_TREE_DEPTH = 8;
  /** Tuning iterations that use {@link #earlyMaxTreeDepth}. */
  public static final int EARLY_ITERATIONS = 200;

  public NutsSettings {
    if (draws < 0 || tune < 0) {
      throw new IllegalArgumentException("draws and tune must be >= 0");
    }
    if (chains < 1 || threads < 1) {
      throw new IllegalArgumentException("chains and threads must be >= 1");
    }
    if (!(targetAccept > 0 && targetAccept < 1)) {
      throw new IllegalArgumentException("target_accept must be in (0, 1), not " + targetAccept);
    }
    if (maxTreeDepth < 1 || earlyMaxTreeDepth < 1) {
      throw new IllegalArgumentException("tree depths must be >= 1");
    }
    if (starts != null) {
      if (starts.length != 1 && starts.length != chains) {
        throw new IllegalArgumentException("give one starting point or one per chain (" + chains + "), not "
            + starts.length);
      }
      starts = Arrays.stream(starts).map(double[]::clone).toArray(double[][]::new);
    }
  }

  /** PyMC3's defaults, {@link #defaultChains()} chains, seed 0, one thread per core. */
  public static NutsSettings defaults() {
    return new NutsSettings(DEFAULT_DRAWS, DEFAULT_TUNE, defaultChains(), DEFAULT_TARGET_ACCEPT,
        DEFAULT_MAX_TREE_DEPTH, DEFAULT_EARLY_MAX_TREE_DEPTH, 0, Runtime.getRuntime().availableProcessors(), null);
  }

  /** PyMC3's rule: cores = min(4, CPUs), chains = max(2, cores). */
  public static int defaultChains() {
    return Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  public NutsSettings withDraws(int n) {
    return new NutsSettings(n, tune, chains, targetAccept, maxTreeDepth, earlyMaxTreeDepth, seed, threads, starts);
  }

  public NutsSettings withTune(int n) {
    return new NutsSettings(draws, n, chains, targetAccept, maxTreeDepth, earlyMaxTreeDepth, seed, threads, starts);
  }

  public NutsSettings withChains(int n) {
    return new NutsSettings(draws, tune, n, targetAccept, maxTreeDepth, earlyMaxTreeDepth, seed, threads, starts);
  }

  public NutsSettings withTargetAccept(double a) {
    return new NutsSettings(draws, tune, chains, a, maxTreeDepth, earlyMaxTreeDepth, seed, threads, starts);
  }

  /** Sets the maximum tree depth; the early one becomes the smaller of it and PyMC3's 8. */
  public NutsSettings withMaxTreeDepth(int depth) {
    return new NutsSettings(draws, tune, chains, targetAccept, depth,
        Math.min(depth, DEFAULT_EARLY_MAX_TREE_DEPTH), seed, threads, starts);
  }

  public NutsSettings withSeed(long s) {
    return new NutsSettings(draws, tune, chains, targetAccept, maxTreeDepth, earlyMaxTreeDepth, s, threads, starts);
  }

  public NutsSettings withThreads(int t) {
    return new NutsSettings(draws, tune, chains, targetAccept, maxTreeDepth, earlyMaxTreeDepth, seed, t, starts);
  }

  /** Starting points: one for all chains, or one per chain. */
  public NutsSettings withStarts(double[]... points) {
    return new NutsSettings(draws, tune, chains, targetAccept, maxTreeDepth, earlyMaxTreeDepth, seed, threads, points);
  }

  /** The starting point of chain {@code c}, or null for a jittered start. */
  double[] start(int c) {
    return starts == null ? null : starts[starts.length == 1 ? 0 : c];
  }

  @Override
  public double[][] starts() {
    return starts == null ? null : Arrays.stream(starts).map(double[]::clone).toArray(double[][]::new);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NutsSettings s && draws == s.draws && tune == s.tune && chains == s.chains
        && Double.compare(targetAccept, s.targetAccept) == 0 && maxTreeDepth == s.maxTreeDepth
        && earlyMaxTreeDepth == s.earlyMaxTreeDepth && seed == s.seed && threads == s.threads
        && Arrays.deepEquals(starts, s.starts);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(new Object[] {draws, tune, chains, targetAccept, maxTreeDepth, earlyMaxTreeDepth, seed,
        threads, starts});
  }

  @Override
  public String toString() {
    return "NutsSettings[draws=" + draws + ", tune=" + tune + ", chains=" + chains + ", targetAccept=" + targetAccept
        + ", maxTreeDepth=" + maxTreeDepth + ", earlyMaxTreeDepth=" + earlyMaxTreeDepth + ", seed=" + seed
        + ", threads=" + threads + ", starts=" + Arrays.deepToString(starts) + "]";
  }
}
