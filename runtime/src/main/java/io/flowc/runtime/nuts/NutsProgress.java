package io.flowc.runtime.nuts;

/** Told after every iteration of every chain; called from the chains' threads at once. */
@FunctionalInterface
public interface NutsProgress {
  /**
   * @param chain the chain
   * @param iteration iterations done by that chain, tuning included (1 .. tune + draws)
   */
  void iterationDone(int chain, int iteration);
}
