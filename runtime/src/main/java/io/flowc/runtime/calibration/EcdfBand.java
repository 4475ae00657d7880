package io.flowc.runtime.calibration;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The graphical uniformity test of Säilynoja, Bürkner and Vehtari (2022), "Graphical test for
 * discrete uniformity and its applications in goodness-of-fit evaluation and multiple sample
 * comparison": the ECDF of S ranks minus the uniform CDF, at K evaluation points, with a band that
 * the whole difference stays inside with probability {@value #LEVEL} when the ranks are uniform.
 *
 * <p>At evaluation rank j the count {@code #(rank <= j)} of uniform ranks is Binomial(S, (j + 1) /
 * (L + 1)). A pointwise band at level {@code 1 - gamma} (the counts whose two-sided binomial tail
 * {@code 2 min(P(X <= c), P(X >= c))} is at least gamma) is too narrow for all K points at once;
 * gamma is adjusted so that the simultaneous level is {@value #LEVEL}. The adjustment is simulated
 * (the paper's first method): {@value #REPLICATES} samples of S uniform ranks drawn with the fixed
 * seed {@value #SEED}, each giving the smallest two-sided tail over its K points; gamma is the
 * 5 % quantile of those. So the band depends only on S and L, and is the same on every run.
 *
 * <p>Evaluation points: {@code K = min(L + 1, S, }{@value #MAX_POINTS}{@code )} equally spaced
 * fractional ranks, ranks {@code j_k = ceil(k (L + 1) / K) - 1} for k = 1 .. K - 1 (at k = K the
 * ECDF is 1 for any ranks). The cap keeps the tables small for long chains; points 1 % apart see
 * every departure a histogram would.
 */
public final class EcdfBand {
  public static final double LEVEL = 0.95;
  public static final int REPLICATES = 5000;
  public static final long SEED = 0x5bcL;
  public static final int MAX_POINTS = 100;

  private final int sims;
  private final int maxRank;
  private final int[] at;
  private final Binomial[] counts;
  private final double gamma;

  private EcdfBand(int sims, int maxRank, int[] at, Binomial[] counts, double gamma) {
    this.sims = sims;
    this.maxRank = maxRank;
    this.at = at;
    this.counts = counts;
    this.gamma = gamma;
  }

  /** What the test says of one sample of ranks. */
  public record Result(double maxDifference, boolean inside) {}

  /** The band for {@code sims} ranks on 0 .. {@code maxRank}. */
  public static EcdfBand of(int sims, int maxRank) {
    return simulate(sims, maxRank, LEVEL, REPLICATES, SEED);
  }

  static EcdfBand simulate(int sims, int maxRank, double level, int replicates, long seed) {
    if (sims < 1 || maxRank < 0) {
      throw new IllegalArgumentException("need at least one rank on 0 .. L >= 0, got " + sims + " on 0 .. " + maxRank);
    }
    int points = Math.min(Math.min(maxRank + 1, sims), MAX_POINTS);
    int[] at = new int[Math.max(0, points - 1)];
    Binomial[] counts = new Binomial[at.length];
    for (int k = 1; k < points; k++) {
      at[k - 1] = (int) Math.ceil((double) k * (maxRank + 1) / points) - 1;
      counts[k - 1] = new Binomial(sims, (at[k - 1] + 1.0) / (maxRank + 1));
    }
    EcdfBand unadjusted = new EcdfBand(sims, maxRank, at, counts, 0);
    if (at.length == 0) {
      return unadjusted;
    }
    double[] smallest = new double[replicates];
    SplittableRandom random = new SplittableRandom(seed);
    int[] ranks = new int[sims];
    for (int m = 0; m < replicates; m++) {
      for (int i = 0; i < sims; i++) {
        ranks[i] = random.nextInt(maxRank + 1);
      }
      smallest[m] = unadjusted.smallestTail(ranks);
    }
    Arrays.sort(smallest);
    // the samples with a tail below gamma are at most a share 1 - level of all
    double gamma = smallest[(int) Math.floor((1 - level) * replicates)];
    return new EcdfBand(sims, maxRank, at, counts, gamma);
  }

  /** The smallest two-sided binomial tail of the ECDF's counts over the evaluation points. */
  private double smallestTail(int[] ranks) {
    int[] cumulative = cumulative(ranks);
    double min = 1;
    for (int k = 0; k < at.length; k++) {
      min = Math.min(min, counts[k].twoSided(cumulative[at[k]]));
    }
    return min;
  }

  private int[] cumulative(int[] ranks) {
    if (ranks.length != sims) {
      throw new IllegalArgumentException("band for " + sims + " ranks, got " + ranks.length);
    }
    int[] c = new int[maxRank + 1];
    for (int r : ranks) {
      if (r < 0 || r > maxRank) {
        throw new IllegalArgumentException("rank " + r + " outside 0 .. " + maxRank);
      }
      c[r]++;
    }
    for (int r = 1; r <= maxRank; r++) {
      c[r] += c[r - 1];
    }
    return c;
  }

  /** The adjusted pointwise level gamma. */
  public double gamma() {
    return gamma;
  }

  /** The evaluation ranks j_k. */
  public int[] evaluationRanks() {
    return at.clone();
  }

  /** The uniform CDF at each evaluation rank, {@code (j_k + 1) / (L + 1)}. */
  public double[] uniformCdf() {
    double[] p = new double[at.length];
    for (int k = 0; k < at.length; k++) {
      p[k] = (at[k] + 1.0) / (maxRank + 1);
    }
    return p;
  }

  /** The band of the ECDF difference at each evaluation point, {@code [lower[k], upper[k]]}. */
  public double[][] differenceBand() {
    double[] p = uniformCdf();
    double[] lower = new double[at.length];
    double[] upper = new double[at.length];
    for (int k = 0; k < at.length; k++) {
      int lo = 0;
      while (lo < sims && counts[k].twoSided(lo) < gamma) {
        lo++;
      }
      int hi = sims;
      while (hi > 0 && counts[k].twoSided(hi) < gamma) {
        hi--;
      }
      lower[k] = (double) lo / sims - p[k];
      upper[k] = (double) hi / sims - p[k];
    }
    return new double[][] {lower, upper};
  }

  /** The ECDF difference of {@code ranks} at each evaluation point. */
  public double[] difference(int[] ranks) {
    int[] cumulative = cumulative(ranks);
    double[] p = uniformCdf();
    double[] d = new double[at.length];
    for (int k = 0; k < at.length; k++) {
      d[k] = (double) cumulative[at[k]] / sims - p[k];
    }
    return d;
  }

  /** The largest absolute ECDF difference, and whether the whole difference lies inside the band. */
  public Result test(int[] ranks) {
    double max = 0;
    for (double d : difference(ranks)) {
      max = Math.max(max, Math.abs(d));
    }
    return new Result(max, at.length == 0 || smallestTail(ranks) >= gamma);
  }
}
