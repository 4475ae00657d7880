package io.flowc.cli;

import io.flowc.runtime.nuts.NutsSettings;
import picocli.CommandLine.Option;

/** How NUTS runs: the options {@code sample} and {@code fit-many} share (a picocli mixin). */
final class NutsOptions {
  /** Deeper trees than this would take 2^30 leapfrog steps per draw. */
  static final int MAX_TREE_DEPTH_LIMIT = 30;

  @Option(names = "--tune", paramLabel = "N", description = "Tuning iterations per chain, discarded (default 1000).")
  int tune = NutsSettings.DEFAULT_TUNE;

  @Option(names = "--chains", paramLabel = "C", description = "Chains (default PyMC3's: max(2, min(4, cores)), here ${DEFAULT-VALUE}).")
  int chains = NutsSettings.defaultChains();

  @Option(names = "--target-accept", paramLabel = "A", description = "Acceptance statistic the step size adapts to, in (0, 1) (default 0.8).")
  double targetAccept = NutsSettings.DEFAULT_TARGET_ACCEPT;

  @Option(names = "--max-treedepth", paramLabel = "T", description = "Most trajectory doublings (default 10; 8 during the first 200 tuning iterations).")
  int maxTreeDepth = NutsSettings.DEFAULT_MAX_TREE_DEPTH;

  /** Checks the values given, each refused with a one-line message naming its option. */
  void check() {
    if (tune < 0) {
      throw new UserException("--tune must be >= 0");
    }
    if (chains < 1) {
      throw new UserException("--chains must be >= 1");
    }
    if (!(targetAccept > 0 && targetAccept < 1)) {
      throw new UserException("--target-accept must be between 0 and 1 (exclusive), e.g. 0.9");
    }
    if (maxTreeDepth < 1 || maxTreeDepth > MAX_TREE_DEPTH_LIMIT) {
      throw new UserException("--max-treedepth must be between 1 and " + MAX_TREE_DEPTH_LIMIT);
    }
  }

  /** The sampler's settings for these options. */
  NutsSettings settings(int draws, long seed, int threads, double[][] starts) {
    return new NutsSettings(draws, tune, chains, targetAccept, maxTreeDepth,
        Math.min(maxTreeDepth, NutsSettings.DEFAULT_EARLY_MAX_TREE_DEPTH), seed, threads, starts);
  }
}
