package io.flowc.runtime.calibration;

import java.util.SplittableRandom;

/**
 * The rank of a true value among posterior draws, as simulation-based calibration (Talts,
 * Betancourt, Simpson, Vehtari and Gelman 2018, "Validating Bayesian inference algorithms with
 * simulation-based calibration") uses it: the number of draws below the truth, 0 .. L for L draws.
 * When the inference is calibrated the truth is one more draw from the posterior, so its rank is
 * uniform on 0 .. L.
 */
public final class Ranks {
  private Ranks() {}

  /**
   * The number of draws below {@code truth}, plus a uniform share of the draws equal to it: with
   * e ties the rank is {@code below + U}, U uniform on 0 .. e. Ties (a discrete quantity, a stuck
   * sampler) would otherwise all rank low, which reads as bias; breaking them at random keeps a
   * calibrated rank uniform.
   */
  public static int rank(double truth, double[] draws, SplittableRandom random) {
    int below = 0;
    int equal = 0;
    for (double d : draws) {
      if (d < truth) {
        below++;
      } else if (d == truth) {
        equal++;
      }
    }
    return equal == 0 ? below : below + random.nextInt(equal + 1);
  }

  /**
   * A rank among {@code k} draws carried to the scale of {@code l} draws: {@code (rank + U) / (k + 1)}
   * with U uniform on [0, 1) is uniform on [0, 1) exactly when the rank is uniform on 0 .. k, and
   * {@code floor((l + 1) u)} is then uniform on 0 .. l. A simulation whose chain allowed fewer
   * nearly independent draws than the others thus joins the same histogram without bending it.
   */
  public static int rescale(int rank, int k, int l, SplittableRandom random) {
    if (rank < 0 || rank > k) {
      throw new IllegalArgumentException("rank " + rank + " outside 0 .. " + k);
    }
    if (k == l) {
      return rank;
    }
    double u = (rank + random.nextDouble()) / (k + 1);
    return Math.min(l, (int) Math.floor(u * (l + 1)));
  }
}
