package io.flowc.runtime.nuts;

import java.util.List;

/**
 * A chain ran off to infinity: an element of its position overflowed (became infinite, or NaN
 * from infinities), which a posterior with finite mass in every direction does not allow. The
 * chains run to their own ends first, so {@link #drawsBefore} holds every chain's draws kept
 * after tuning up to its failure (all of them for chains that did not fail); {@link #chain} is
 * the first chain that failed.
 */
public final class ImproperPosteriorException extends SamplingException {
  private static final long serialVersionUID = 1L;

  private final int chain;
  private final int iteration;
  private final int tune;
  private final int element;
  private final double value;
  private final transient double[][][] drawsBefore;
  private final transient List<ChainStats> statsBefore;

  ImproperPosteriorException(NutsChain.Runaway runaway, int tune, double[][][] drawsBefore,
      List<ChainStats> statsBefore) {
    super("the posterior looks improper: chain " + runaway.chain() + " ran off to infinity (element "
        + runaway.element() + " became " + runaway.value() + " at " + where(runaway.iteration(), tune) + ")");
    this.chain = runaway.chain();
    this.iteration = runaway.iteration();
    this.tune = tune;
    this.element = runaway.element();
    this.value = runaway.value();
    this.drawsBefore = drawsBefore;
    this.statsBefore = List.copyOf(statsBefore);
  }

  /** "tuning iteration 12" or "draw 3", counted from 1 as users count. */
  private static String where(int iteration, int tune) {
    return iteration < tune ? "tuning iteration " + (iteration + 1) : "draw " + (iteration - tune + 1);
  }

  /** The first chain that ran off. */
  public int chain() {
    return chain;
  }

  /** Where in that chain: "tuning iteration 12" or "draw 3" (from 1). */
  public String where() {
    return where(iteration, tune);
  }

  /** The element (on the sampler's unconstrained scale) that overflowed first. */
  public int element() {
    return element;
  }

  /** Its value: infinite or NaN. */
  public double value() {
    return value;
  }

  /** Every chain's draws kept before its failure, {@code [chain][draw][element]}, unconstrained. */
  public double[][][] drawsBefore() {
    return drawsBefore;
  }

  /** Every chain's statistics of the draws in {@link #drawsBefore}. */
  public List<ChainStats> statsBefore() {
    return statsBefore;
  }
}
