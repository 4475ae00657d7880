package io.flowc.runtime.calibration;

/**
 * Nearly independent draws from a Markov chain: the ranks of simulation-based calibration are
 * uniform only for independent draws (autocorrelated draws make the extreme ranks too frequent,
 * which reads as an over-confident posterior).
 *
 * <p>The rule: of N draws with effective sample size ESS, keep {@code k = min(L, floor(N / s))}
 * draws, where {@code s = max(1, ceil(N / ESS))} is the smallest stride that leaves about one draw
 * per effective draw, evenly spread with stride {@code floor(N / k)} (at least s), ending at the
 * chain's last draw. So a chain with ESS at least L gives L draws; one with less gives about ESS
 * draws, whose rank {@link Ranks#rescale} carries to the scale of L. A quantity whose ESS cannot be
 * estimated (NaN: all draws equal) keeps one draw.
 */
public final class Thinning {
  private Thinning() {}

  /** How many draws {@link #thin} keeps of {@code n} with effective size {@code ess}, at most {@code target}. */
  public static int kept(int n, double ess, int target) {
    if (n < 1 || target < 1) {
      throw new IllegalArgumentException("need at least one draw and a target of at least one, got " + n + " and "
          + target);
    }
    if (!(ess > 0)) {
      return 1;
    }
    long minStride = Math.max(1, (long) Math.ceil(n / ess));
    return (int) Math.max(1, Math.min(target, n / minStride));
  }

  /** The draws kept by the rule above, in chain order. */
  public static double[] thin(double[] draws, double ess, int target) {
    int k = kept(draws.length, ess, target);
    int stride = draws.length / k;
    double[] kept = new double[k];
    int offset = draws.length - 1 - (k - 1) * stride;
    for (int i = 0; i < k; i++) {
      kept[i] = draws[offset + i * stride];
    }
    return kept;
  }
}
