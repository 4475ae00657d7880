package io.flowc.runtime.calibration;

/**
 * What a non-uniform rank histogram says about the posterior draws (Talts et al. 2018, section 4):
 * a U shape (too many extreme ranks) means the draws are too narrow, a hump too wide, a slope
 * that they sit to one side of the truth.
 */
public enum Shape {
  /** The ranks do not depart from uniform. */
  UNIFORM("uniform"),
  /** U shape: the truth falls outside the draws too often; the posterior is too narrow. */
  OVER_CONFIDENT("over-confident"),
  /** Hump: the truth falls in the middle of the draws too often; the posterior is too wide. */
  UNDER_CONFIDENT("under-confident"),
  /** Slope up: high ranks too frequent, the draws lie below the truth. */
  BIASED_LOW("biased-low"),
  /** Slope down: low ranks too frequent, the draws lie above the truth. */
  BIASED_HIGH("biased-high");

  private final String word;

  Shape(String word) {
    this.word = word;
  }

  public String word() {
    return word;
  }

  /**
   * The shape of ranks already found non-uniform: whichever departure is the larger in standard
   * errors, the mean of the normalized ranks u = rank / L from 1/2 (bias), or their variance from
   * the uniform's (dispersion: above it a U, below a hump). For continuous uniform u the mean has
   * variance 1/(12 S) and the mean square deviation {@code (u - 1/2)^2} variance 1/(180 S); the
   * discrete ranks' variance is {@code (L + 2) / (12 L)}.
   */
  public static Shape read(int[] ranks, int maxRank, boolean departs) {
    if (!departs || ranks.length == 0 || maxRank == 0) {
      return UNIFORM;
    }
    int s = ranks.length;
    double mean = 0;
    for (int r : ranks) {
      mean += (double) r / maxRank;
    }
    mean /= s;
    double spread = 0;
    for (int r : ranks) {
      double d = (double) r / maxRank - mean;
      spread += d * d;
    }
    spread /= s;
    double bias = (mean - 0.5) / Math.sqrt(1.0 / (12 * s));
    double dispersion = (spread - (maxRank + 2.0) / (12.0 * maxRank)) / Math.sqrt(1.0 / (180 * s));
    if (Math.abs(dispersion) >= Math.abs(bias)) {
      return dispersion > 0 ? OVER_CONFIDENT : UNDER_CONFIDENT;
    }
    return bias > 0 ? BIASED_LOW : BIASED_HIGH;
  }
}
