package io.flowc.runtime.nuts;

/**
 * Finite draws that look like a chain running off to infinity: the sign of an improper posterior
 * (a parameter with no prior or likelihood, a flat potential) when no position overflowed
 * outright (that is an {@link ImproperPosteriorException}).
 *
 * <p>An element is flagged when a draw exceeds {@link #MAGNITUDE} on the sampler's
 * (unconstrained) scale, or its constrained value overflowed (a lower-bounded parameter's exp(u)
 * beyond the largest double). Chains drifting to infinity cross this within tens of iterations,
 * because step size and mass matrix adapt to their growing spread and every iteration moves
 * them by a multiple of their distance; a proper posterior does not put draws there: a standard
 * Cauchy has probability 6e-21 per draw, and a parameter whose posterior really lives at 1e20
 * is better rescaled anyway (the sampler starts within 1 of the origin).
 */
public final class RunawayDraws {
  /** Magnitude on the unconstrained scale beyond which a draw counts as running off. */
  public static final double MAGNITUDE = 1e20;

  /** The first element that ran off, with its largest constrained value in magnitude. */
  public record Element(int index, double extreme) {}

  private RunawayDraws() {}

  /**
   * The first element whose draws ran off, or null.
   *
   * @param unconstrained a run's draws on the sampler's scale, {@code [chain][draw][element]}
   * @param constrained the same draws on the constrained scale
   */
  public static Element find(double[][][] unconstrained, double[][][] constrained) {
    int dimension = dimension(unconstrained);
    for (int k = 0; k < dimension; k++) {
      boolean runaway = false;
      double extreme = 0;
      for (int c = 0; c < unconstrained.length; c++) {
        for (int i = 0; i < unconstrained[c].length; i++) {
          double x = constrained[c][i][k];
          runaway |= !(Math.abs(unconstrained[c][i][k]) <= MAGNITUDE) || !(Math.abs(x) < Double.MAX_VALUE);
          if (!(Math.abs(x) <= Math.abs(extreme))) {
            extreme = x;
          }
        }
      }
      if (runaway) {
        return new Element(k, extreme);
      }
    }
    return null;
  }

  private static int dimension(double[][][] draws) {
    for (double[][] chain : draws) {
      if (chain.length > 0) {
        return chain[0].length;
      }
    }
    return 0;
  }
}
