package io.flowc.runtime.calibration;

/**
 * Ranks on 0 .. L counted in B bins, each expecting at least {@value #MIN_EXPECTED} ranks under
 * uniformity, so that Pearson's chi-square test holds.
 *
 * <p>Bin b holds the ranks {@code edges[b] .. edges[b + 1] - 1}, {@code edges[b] = floor(b (L + 1)
 * / B)}. When B divides L + 1 the bins are equally wide; otherwise their widths differ by one
 * rank, and each bin's expected count is its own width's share, {@code S width_b / (L + 1)}, in the
 * test and in the band. B is the largest number of bins whose narrowest bin still expects
 * {@value #MIN_EXPECTED} ranks (at most L + 1): more bins see finer departures, fewer are needed
 * for the test to be valid.
 */
public final class RankHistogram {
  /** The least expected count of a bin. */
  public static final int MIN_EXPECTED = 20;

  private final int maxRank;
  private final int[] edges;
  private final int[] counts;
  private final int sims;

  private RankHistogram(int maxRank, int[] edges, int[] counts, int sims) {
    this.maxRank = maxRank;
    this.edges = edges;
    this.counts = counts;
    this.sims = sims;
  }

  /** The number of bins for {@code sims} ranks on 0 .. {@code maxRank} (1 when too few to test). */
  public static int bins(int sims, int maxRank) {
    int values = maxRank + 1;
    for (int b = Math.min(values, sims / MIN_EXPECTED); b > 1; b--) {
      if ((long) sims * (values / b) >= (long) MIN_EXPECTED * values) {
        return b;
      }
    }
    return 1;
  }

  /** The histogram of {@code ranks} (each in 0 .. maxRank) in {@link #bins} bins. */
  public static RankHistogram of(int[] ranks, int maxRank) {
    return of(ranks, maxRank, bins(ranks.length, maxRank));
  }

  /** The histogram in a given number of bins. */
  public static RankHistogram of(int[] ranks, int maxRank, int bins) {
    if (maxRank < 0 || bins < 1 || bins > maxRank + 1) {
      throw new IllegalArgumentException("need 1 .. " + (maxRank + 1) + " bins for ranks 0 .. " + maxRank + ", got "
          + bins);
    }
    int[] edges = new int[bins + 1];
    for (int b = 0; b <= bins; b++) {
      edges[b] = (int) ((long) b * (maxRank + 1) / bins);
    }
    int[] binOf = new int[maxRank + 1];
    for (int b = 0; b < bins; b++) {
      for (int r = edges[b]; r < edges[b + 1]; r++) {
        binOf[r] = b;
      }
    }
    int[] counts = new int[bins];
    for (int r : ranks) {
      if (r < 0 || r > maxRank) {
        throw new IllegalArgumentException("rank " + r + " outside 0 .. " + maxRank);
      }
      counts[binOf[r]]++;
    }
    return new RankHistogram(maxRank, edges, counts, ranks.length);
  }

  public int maxRank() {
    return maxRank;
  }

  public int sims() {
    return sims;
  }

  public int binCount() {
    return counts.length;
  }

  /** The first rank of each bin, and L + 1 at the end. */
  public int[] edges() {
    return edges.clone();
  }

  public int[] counts() {
    return counts.clone();
  }

  /** The share of uniform ranks that falls in bin b. */
  public double probability(int b) {
    return (double) (edges[b + 1] - edges[b]) / (maxRank + 1);
  }

  public double[] expected() {
    double[] e = new double[counts.length];
    for (int b = 0; b < e.length; b++) {
      e[b] = sims * probability(b);
    }
    return e;
  }

  /** Pearson's chi-square statistic against uniform ranks. */
  public double chiSquare() {
    return ChiSquare.statistic(counts, expected());
  }

  /** The chi-square test's p-value (B - 1 degrees of freedom); NaN with a single bin. */
  public double pValue() {
    return ChiSquare.survival(chiSquare(), counts.length - 1);
  }

  /**
   * Each bin's central binomial interval of probability {@code level} under uniformity, {@code
   * [lower[b], upper[b]]} as counts: {@code Binomial(S, p_b)} quantiles at {@code (1 - level) / 2} and
   * {@code (1 + level) / 2}. Bins are judged one at a time: about {@code (1 - level) B} of B bins
   * fall outside by chance.
   */
  public int[][] band(double level) {
    if (!(level > 0 && level < 1)) {
      throw new IllegalArgumentException("band level must be in (0, 1), got " + level);
    }
    int[] lower = new int[counts.length];
    int[] upper = new int[counts.length];
    for (int b = 0; b < counts.length; b++) {
      Binomial binomial = new Binomial(sims, probability(b));
      lower[b] = binomial.quantile((1 - level) / 2);
      upper[b] = binomial.quantile((1 + level) / 2);
    }
    return new int[][] {lower, upper};
  }
}
