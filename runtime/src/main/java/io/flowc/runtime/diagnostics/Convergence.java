package io.flowc.runtime.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.commons.numbers.gamma.InverseErfc;

/**
 * Convergence diagnostics for Markov chain Monte Carlo draws of one scalar quantity: rank-normalized
 * split R-hat, bulk and tail effective sample size (ESS) and the Monte Carlo standard error (MCSE)
 * of the mean, as defined by Vehtari, Gelman, Simpson, Carpenter and Bürkner (2021),
 * "Rank-normalization, folding, and localization: an improved R-hat for assessing convergence of
 * MCMC", and implemented by ArviZ, the posterior R package and Stan.
 *
 * <p>Every method takes {@code chains[c][i]}, draw i of chain c, for C &ge; 1 chains of equal
 * length n. The input is never modified. Definitions, with S the number of draws used:
 *
 * <ul>
 *   <li><b>Split chains.</b> Each chain is cut into its first and last {@code floor(n / 2)} draws
 *       (the middle draw is dropped when n is odd), giving M = 2C chains of N = floor(n / 2) draws
 *       and S = M N. A single chain therefore still gets an R-hat, which compares its two halves.
 *   <li><b>Rank normalization.</b> The split draws are pooled and ranked (ties get their average
 *       rank r); each draw is replaced by {@code Phi^-1((r - 3/8) / (S + 1/4))}, Phi the standard
 *       normal distribution function. The result depends only on the order of the draws, so it
 *       exists for any distribution, heavy tails included.
 *   <li><b>Basic R-hat</b> of M chains of N draws with chain means m_j and variances s_j^2 (divisor N
 *       - 1): {@code B = N var(m_j)}, {@code W = mean(s_j^2)}, {@code R = sqrt((B / W + N - 1) / N)}.
 *   <li><b>R-hat</b> ({@link #rHat}) is the larger of the basic R-hat of the rank-normalized split
 *       chains (bulk: location differences) and that of the rank-normalized split <em>folded</em>
 *       draws {@code |x - median(x)|} (tail: scale differences between chains with equal
 *       location), the median taken over all draws. Values near 1 mean the chains agree; above
 *       {@value #R_HAT_THRESHOLD} they do not yet.
 *   <li><b>ESS</b> of M chains of N draws: with the biased within-chain autocovariances
 *       {@code acov_j(t) = (1/N) sum_i (x_ji - m_j)(x_j,i+t - m_j)} (summed directly for the first
 *       lags, by FFT when more are needed: O(S log S) at worst),
 *       {@code W = mean_j acov_j(0) N / (N - 1)}, {@code var+ = W (N - 1) / N + var(m_j)} (the last
 *       term only when M &gt; 1) and the autocorrelations {@code rho(t) = 1 - (W - mean_j acov_j(t))
 *       / var+}, Geyer's initial positive sequence sums the pairs {@code rho(2k) + rho(2k + 1)}
 *       while they are positive, and his initial monotone sequence makes the pair sums
 *       non-increasing. Then {@code tau = -1 + 2 sum_{t <= T} rho(t) + rho(T + 1)} where T is the
 *       last lag of the last positive pair and the final term is the next even-lag autocorrelation
 *       if positive (Stan's correction, which lowers the variance for antithetic chains), and
 *       {@code ESS = S / max(tau, 1 / log10 S)}: at most {@code S log10 S}. This is ArviZ's {@code
 *       _ess}.
 *   <li><b>Bulk ESS</b> ({@link #essBulk}): ESS of the rank-normalized split chains; a measure of
 *       how well the centre of the distribution is estimated.
 *   <li><b>Tail ESS</b> ({@link #essTail}): the smaller of the ESS of the split indicator chains
 *       {@code I(x <= q05)} and {@code I(x <= q95)}, q05 and q95 the 5 % and 95 % quantiles of all
 *       draws; how well the 5 % and 95 % quantiles are estimated.
 *   <li><b>MCSE of the mean</b> ({@link #mcseMean}): {@code sd / sqrt(ESS_mean)}, sd the standard
 *       deviation of all draws (divisor n C - 1), ESS_mean the ESS of the split draws themselves,
 *       not rank-normalized (it assumes a finite variance).
 *   <li><b>Quantiles</b> in {@link #summarize} are of all draws pooled, with linear interpolation
 *       between order statistics (NumPy's default, R's type 7): the p-quantile of sorted x_0..x_{S-1}
 *       is {@code x_k + (h - k)(x_{k+1} - x_k)}, {@code h = (S - 1) p}, {@code k = floor(h)}.
 * </ul>
 *
 * <p>Input checks and edge cases:
 *
 * <ul>
 *   <li>A null array, no chain, an empty chain, chains of different lengths or a draw that is NaN or
 *       infinite: {@link IllegalArgumentException} (a null array: {@link NullPointerException}).
 *   <li>Fewer than {@value #MIN_DRAWS} draws per chain: R-hat, ESS and MCSE are NaN (as in ArviZ),
 *       since a split chain of one draw has no variance; mean, sd and quantiles are still given (sd
 *       is NaN for a single draw).
 *   <li>Draws that are all equal (a stuck sampler, or a quantity that never moves): R-hat, both ESS
 *       and the MCSE are NaN, meaning "cannot be estimated", as in the posterior package (ArviZ
 *       gives R-hat NaN but ESS S there). No exception and no warning either: a NaN compares false
 *       with every threshold.
 *   <li>When only one of the two parts cannot be estimated, the other is the result: R-hat is the
 *       bulk value when the folded draws are all equal (draws taking two values symmetric about
 *       the median), the tail ESS the ESS of one quantile when the other's indicator is constant
 *       (more than 5 % of the draws tied at the smallest or largest value). posterior gives NA
 *       there, ArviZ (through Python's {@code max}) sometimes the other part.
 *   <li>R-hat is +Infinity when every split chain is constant on its own but they differ: no
 *       variance within chains, some between them.
 * </ul>
 *
 * <p>{@link #warnings} turns summaries into PyMC3's convergence warnings with today's thresholds.
 */
public final class Convergence {

  /** R-hat above this means the chains have not converged (Vehtari et al. 2021). */
  public static final double R_HAT_THRESHOLD = 1.01;

  /** Bulk or tail ESS below this many draws per chain is too small for reliable estimates. */
  public static final int MIN_ESS_PER_CHAIN = 100;

  /** Fewest draws per chain for which R-hat, ESS and MCSE are computed (as in ArviZ). */
  public static final int MIN_DRAWS = 4;

  /** How many parameters a warning names at most. */
  static final int WARNING_NAMES = 5;

  /** Blom's offset: ranks map to normal scores through (r - 3/8) / (S + 1/4). */
  private static final double RANK_OFFSET = 3.0 / 8;

  private static final double SQRT2 = Math.sqrt(2);

  private Convergence() {}

  /**
   * Rank-normalized split R-hat: the larger of the bulk and folded (tail) values.
   *
   * @param chains {@code chains[c][i]} is draw i of chain c; at least one chain, all of equal length
   * @return R-hat, NaN when it cannot be estimated (see the class documentation)
   */
  public static double rHat(double[][] chains) {
    Draws draws = new Draws(chains);
    return draws.estimable() ? draws.rHat() : Double.NaN;
  }

  /** Bulk effective sample size: the ESS of the rank-normalized split chains; NaN if not estimable. */
  public static double essBulk(double[][] chains) {
    Draws draws = new Draws(chains);
    return draws.estimable() ? draws.essBulk() : Double.NaN;
  }

  /** Tail effective sample size: the smaller ESS of the 5 % and 95 % quantile indicators. */
  public static double essTail(double[][] chains) {
    Draws draws = new Draws(chains);
    return draws.estimable() ? draws.essTail() : Double.NaN;
  }

  /** Monte Carlo standard error of the mean: sd / sqrt(ESS of the raw split chains). */
  public static double mcseMean(double[][] chains) {
    Draws draws = new Draws(chains);
    return draws.estimable() ? draws.mcseMean() : Double.NaN;
  }

  /**
   * All statistics of one quantity at once, sharing the sorting and transforms between them.
   *
   * @param name the quantity's name, carried into the summary and warnings
   * @param chains {@code chains[c][i]} is draw i of chain c; at least one chain, all of equal length
   */
  public static ParameterSummary summarize(String name, double[][] chains) {
    Objects.requireNonNull(name, "name");
    Draws draws = new Draws(chains);
    double[] sorted = draws.sorted();
    boolean estimable = draws.estimable();
    return new ParameterSummary(
        name,
        draws.mean(),
        draws.sd(),
        quantile(sorted, 0.05),
        quantile(sorted, 0.5),
        quantile(sorted, 0.95),
        estimable ? draws.mcseMean() : Double.NaN,
        estimable ? draws.essBulk() : Double.NaN,
        estimable ? draws.essTail() : Double.NaN,
        estimable ? draws.rHat() : Double.NaN);
  }

  /**
   * The mean, sd and 5/50/95 % quantiles of independent draws (of a fitted flow), computed as
   * {@link #summarize} computes them, without the chain statistics (NaN: independent draws need no
   * ESS or R-hat, and they cost far more than the rest). NaN and infinite draws are carried into
   * the results rather than refused.
   */
  public static ParameterSummary summarizeIndependent(String name, double[] draws) {
    Objects.requireNonNull(name, "name");
    if (draws.length == 0) {
      throw new IllegalArgumentException("no draws");
    }
    double sum = 0;
    for (double x : draws) {
      sum += x;
    }
    double mean = sum / draws.length;
    double squares = 0;
    for (double x : draws) {
      squares += (x - mean) * (x - mean);
    }
    double sd = draws.length < 2 ? Double.NaN : Math.sqrt(squares / (draws.length - 1));
    double[] sorted = draws.clone();
    Arrays.sort(sorted);
    return new ParameterSummary(name, mean, sd, quantile(sorted, 0.05), quantile(sorted, 0.5), quantile(sorted, 0.95),
        Double.NaN, Double.NaN, Double.NaN, Double.NaN);
  }

  /**
   * PyMC3's convergence warnings for a set of summaries, one line per kind, each naming the worst
   * parameters (at most {@value #WARNING_NAMES}, worst first):
   *
   * <ul>
   *   <li>R-hat, on the largest value: above 1.4 "The rhat statistic is larger than 1.4 for some
   *       parameters. The sampler did not converge." (PyMC3 logs it as an error); else above 1.2
   *       "...larger than 1.2 for some parameters." (a warning); else above {@value
   *       #R_HAT_THRESHOLD} "...larger than 1.01 for some parameters. This indicates slight
   *       problems during sampling." PyMC3 3.x used 1.05 for this last level; 1.01 is the
   *       threshold recommended by Vehtari et al. (2021) and used by PyMC since 4.0.
   *   <li>ESS: when the bulk or tail ESS of some parameter is below {@value #MIN_ESS_PER_CHAIN}
   *       per chain, "The estimated number of effective samples is smaller than {100 C} for some
   *       parameters." (PyMC3 3.x compared the bulk ESS with 200, or 10 % and 25 % of the draws;
   *       100 per chain, on bulk and tail alike, is the current recommendation.)
   *   <li>With a single chain, PyMC3's note "Only one chain was sampled, this makes it impossible
   *       to run some convergence checks": split R-hat compares the chain's halves but cannot see a
   *       mode the chain never visited.
   * </ul>
   *
   * NaN statistics (not estimable) raise no warning. PyMC3 also warns when fewer than 100 draws
   * per chain were kept; summaries do not record the draw count, so that check is the caller's.
   *
   * @param summaries one per parameter, all from draws of {@code chains} chains
   * @param chains the number of chains the summaries were computed from, at least 1
   * @return the warning lines, empty when there is nothing to report
   */
  public static List<String> warnings(List<ParameterSummary> summaries, int chains) {
    Objects.requireNonNull(summaries, "summaries");
    if (chains < 1) {
      throw new IllegalArgumentException("the number of chains must be at least 1, got " + chains);
    }
    List<String> lines = new ArrayList<>();
    if (chains == 1) {
      lines.add("Only one chain was sampled, this makes it impossible to run some convergence checks");
    }

    List<ParameterSummary> highRHat = new ArrayList<>();
    for (ParameterSummary s : summaries) {
      if (s.rHat() > R_HAT_THRESHOLD) {
        highRHat.add(s);
      }
    }
    if (!highRHat.isEmpty()) {
      highRHat.sort(Comparator.comparingDouble(ParameterSummary::rHat).reversed());
      double worst = highRHat.get(0).rHat();
      String text;
      if (worst > 1.4) {
        text = "The rhat statistic is larger than 1.4 for some parameters. The sampler did not converge.";
      } else if (worst > 1.2) {
        text = "The rhat statistic is larger than 1.2 for some parameters.";
      } else {
        text = "The rhat statistic is larger than 1.01 for some parameters."
            + " This indicates slight problems during sampling.";
      }
      lines.add(text + " Largest: " + names(highRHat, s -> format("%.3f", s.rHat())) + ".");
    }

    double minEss = (double) MIN_ESS_PER_CHAIN * chains;
    List<ParameterSummary> lowEss = new ArrayList<>();
    for (ParameterSummary s : summaries) {
      if (smallerEss(s) < minEss) {
        lowEss.add(s);
      }
    }
    if (!lowEss.isEmpty()) {
      lowEss.sort(Comparator.comparingDouble(Convergence::smallerEss));
      lines.add("The estimated number of effective samples is smaller than " + (long) minEss
          + " for some parameters. Smallest: "
          + names(lowEss, s -> s.essBulk() <= s.essTail() || Double.isNaN(s.essTail())
              ? format("bulk %.0f", s.essBulk())
              : format("tail %.0f", s.essTail()))
          + ".");
    }
    return lines;
  }

  /** The smaller of bulk and tail ESS, ignoring a NaN one; NaN if both are. */
  private static double smallerEss(ParameterSummary s) {
    if (Double.isNaN(s.essBulk())) {
      return s.essTail();
    }
    if (Double.isNaN(s.essTail())) {
      return s.essBulk();
    }
    return Math.min(s.essBulk(), s.essTail());
  }

  private static String names(
      List<ParameterSummary> worstFirst, java.util.function.Function<ParameterSummary, String> value) {
    StringBuilder text = new StringBuilder();
    int shown = Math.min(WARNING_NAMES, worstFirst.size());
    for (int i = 0; i < shown; i++) {
      ParameterSummary s = worstFirst.get(i);
      text.append(i == 0 ? "" : ", ").append(s.name()).append(" (").append(value.apply(s)).append(')');
    }
    if (worstFirst.size() > shown) {
      text.append(" and ").append(worstFirst.size() - shown).append(" more");
    }
    return text.toString();
  }

  private static String format(String pattern, double value) {
    return String.format(Locale.ROOT, pattern, value);
  }

  /** The validated draws of one quantity, with the pieces the statistics share computed once. */
  private static final class Draws {
    private final int chains;
    private final int length;
    /** Chain after chain. */
    private final double[] pooled;
    private final boolean constant;
    private int[] order;
    private double[] sorted;
    private double[] split;
    private int[] splitOrder;
    private Fft fft;
    private NormalScores scores;

    Draws(double[][] chains) {
      Objects.requireNonNull(chains, "chains");
      if (chains.length == 0) {
        throw new IllegalArgumentException("no chains: at least one chain of draws is needed");
      }
      Objects.requireNonNull(chains[0], "chain 0");
      int n = chains[0].length;
      if (n == 0) {
        throw new IllegalArgumentException("chain 0 has no draws");
      }
      for (int c = 1; c < chains.length; c++) {
        int index = c;
        Objects.requireNonNull(chains[c], () -> "chain " + index);
        if (chains[c].length != n) {
          throw new IllegalArgumentException("chains must have equal lengths: chain 0 has " + n
              + " draws, chain " + c + " has " + chains[c].length);
        }
      }
      if ((long) chains.length * n > Integer.MAX_VALUE / 2) {
        throw new IllegalArgumentException("too many draws: " + chains.length + " chains of " + n);
      }
      this.chains = chains.length;
      this.length = n;
      this.pooled = new double[chains.length * n];
      double first = chains[0][0];
      boolean allEqual = true;
      for (int c = 0; c < chains.length; c++) {
        for (int i = 0; i < n; i++) {
          double x = chains[c][i];
          if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("draw " + i + " of chain " + c + " is " + x);
          }
          allEqual &= x == first;
          pooled[c * n + i] = x;
        }
      }
      this.constant = allEqual;
    }

    boolean estimable() {
      return length >= MIN_DRAWS && !constant;
    }

    double mean() {
      double sum = 0;
      for (double x : pooled) {
        sum += x;
      }
      return sum / pooled.length;
    }

    double sd() {
      if (pooled.length < 2) {
        return Double.NaN;
      }
      double mean = mean();
      double squares = 0;
      for (double x : pooled) {
        squares += (x - mean) * (x - mean);
      }
      return Math.sqrt(squares / (pooled.length - 1));
    }

    double[] sorted() {
      if (sorted == null) {
        order = argsort(pooled);
        sorted = new double[pooled.length];
        for (int k = 0; k < order.length; k++) {
          sorted[k] = pooled[order[k]];
        }
      }
      return sorted;
    }

    /**
     * Indices of {@link #split} in ascending order of value, derived from the pooled order: a
     * relabelling, with the middle draws of odd-length chains left out.
     */
    int[] splitOrder() {
      if (splitOrder == null) {
        sorted();
        int half = half();
        int[] out = new int[splitChains() * half];
        int k = 0;
        for (int p : order) {
          int c = p / length;
          int i = p - c * length;
          if (i < half) {
            out[k++] = 2 * c * half + i;
          } else if (i >= length - half) {
            out[k++] = (2 * c + 1) * half + i - (length - half);
          }
        }
        splitOrder = out;
      }
      return splitOrder;
    }

    int splitChains() {
      return 2 * chains;
    }

    int half() {
      return length / 2;
    }

    /** The split chains, half-chain after half-chain. */
    double[] split() {
      if (split == null) {
        split = splitOf(pooled);
      }
      return split;
    }

    /** {@code values} (laid out like {@link #pooled}) cut into half-chains. */
    double[] splitOf(double[] values) {
      int half = half();
      double[] out = new double[splitChains() * half];
      for (int c = 0; c < chains; c++) {
        System.arraycopy(values, c * length, out, 2 * c * half, half);
        System.arraycopy(values, c * length + length - half, out, (2 * c + 1) * half, half);
      }
      return out;
    }

    Fft fft() {
      if (fft == null) {
        fft = new Fft(2 * half());
      }
      return fft;
    }

    /** ESS of split-chain values laid out like {@link #split}. */
    double ess(double[] values) {
      return Convergence.ess(values, splitChains(), half(), this::fft);
    }

    NormalScores scores() {
      if (scores == null) {
        scores = new NormalScores(splitChains() * half());
      }
      return scores;
    }

    double rHat() {
      double bulk = basicRHat(scores().of(split(), splitOrder()), splitChains(), half());
      double median = quantile(sorted(), 0.5);
      double[] values = split();
      int[] byValue = splitOrder();
      double[] folded = new double[values.length];
      for (int k = 0; k < values.length; k++) {
        folded[k] = Math.abs(values[k] - median);
      }
      // Folding reverses the order below the median and keeps it above: the folded order is a
      // merge of those two runs, no second sort needed. (x - median rounds monotonically in x.)
      int firstAbove = 0;
      while (firstAbove < byValue.length && values[byValue[firstAbove]] < median) {
        firstAbove++;
      }
      int[] foldedOrder = new int[byValue.length];
      int below = firstAbove - 1;
      int above = firstAbove;
      for (int k = 0; k < foldedOrder.length; k++) {
        boolean takeBelow = above == byValue.length
            || below >= 0 && folded[byValue[below]] <= folded[byValue[above]];
        foldedOrder[k] = takeBelow ? byValue[below--] : byValue[above++];
      }
      double tail = basicRHat(scores().of(folded, foldedOrder), splitChains(), half());
      return Double.isNaN(bulk) ? tail : Double.isNaN(tail) ? bulk : Math.max(bulk, tail);
    }

    double essBulk() {
      return ess(scores().of(split(), splitOrder()));
    }

    double essTail() {
      double low = ess(indicator(quantile(sorted(), 0.05)));
      double high = ess(indicator(quantile(sorted(), 0.95)));
      return Double.isNaN(low) ? high : Double.isNaN(high) ? low : Math.min(low, high);
    }

    double mcseMean() {
      return sd() / Math.sqrt(ess(split()));
    }

    /** The split chains of I(x &le; threshold). */
    private double[] indicator(double threshold) {
      double[] values = split();
      double[] out = new double[values.length];
      for (int k = 0; k < values.length; k++) {
        out[k] = values[k] <= threshold ? 1 : 0;
      }
      return out;
    }
  }

  /**
   * Basic R-hat of {@code m} chains of {@code n} draws laid out chain after chain: sqrt((B / W + n -
   * 1) / n). IEEE arithmetic gives NaN when every draw is equal and +Infinity when only W is 0.
   */
  static double basicRHat(double[] x, int m, int n) {
    double[] means = chainMeans(x, m, n);
    double within = 0;
    for (int j = 0; j < m; j++) {
      double squares = 0;
      for (int i = 0; i < n; i++) {
        double d = x[j * n + i] - means[j];
        squares += d * d;
      }
      within += squares / (n - 1);
    }
    within /= m;
    double between = n * variance(means);
    return Math.sqrt((between / within + n - 1) / n);
  }

  /**
   * Effective sample size of {@code m} chains of {@code n} draws laid out chain after chain
   * (ArviZ's {@code _ess}; see the class documentation). NaN when all draws are equal, since there
   * is then no autocorrelation to speak of.
   */
  static double ess(double[] x, int m, int n, Supplier<Fft> fft) {
    double first = x[0];
    boolean allEqual = true;
    for (double v : x) {
      allEqual &= v == first;
    }
    if (allEqual) {
      return Double.NaN;
    }
    double[] means = chainMeans(x, m, n);
    Autocovariance acov = new Autocovariance(x, m, n, means, fft);
    double meanVar = acov.at(0) * n / (n - 1.0);
    double varPlus = meanVar * (n - 1.0) / n;
    if (m > 1) {
      varPlus += variance(means);
    }

    double[] rho = new double[n];
    double rhoEven = 1;
    double rhoOdd = 1 - (meanVar - acov.at(1)) / varPlus;
    rho[0] = rhoEven;
    rho[1] = rhoOdd;
    // Geyer's initial positive sequence: pairs (rho(t+1), rho(t+2)) while their sum is positive
    int t = 1;
    while (t < n - 3 && rhoEven + rhoOdd > 0) {
      rhoEven = 1 - (meanVar - acov.at(t + 1)) / varPlus;
      rhoOdd = 1 - (meanVar - acov.at(t + 2)) / varPlus;
      if (rhoEven + rhoOdd >= 0) {
        rho[t + 1] = rhoEven;
        rho[t + 2] = rhoOdd;
      }
      t += 2;
    }
    int maxT = t - 2;
    // The first even lag past the truncation still counts when positive: for antithetic chains
    // the negative odd-lag autocorrelations would otherwise inflate the ESS far beyond S.
    if (rhoEven > 0) {
      rho[maxT + 1] = rhoEven;
    }
    // Geyer's initial monotone sequence
    for (t = 1; t <= maxT - 2; t += 2) {
      if (rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]) {
        rho[t + 1] = (rho[t - 1] + rho[t]) / 2;
        rho[t + 2] = rho[t + 1];
      }
    }
    double sum = 0;
    for (int k = 0; k <= maxT; k++) {
      sum += rho[k];
    }
    double total = (double) m * n;
    double tau = -1 + 2 * sum + rho[maxT + 1];
    tau = Math.max(tau, 1 / Math.log10(total));
    return total / tau;
  }

  /**
   * The mean over chains of the biased autocovariances, {@code mean_j (1/n) sum_i (x_ji - m_j)(x_j,i+t
   * - m_j)}, computed lag by lag as the ESS asks for them. Well-mixing chains stop Geyer's sequence
   * after a few lags, and direct sums over those are cheaper than any transform; once more lags
   * are wanted than a transform costs, all n lags come from the FFT at once. Either way the cost
   * stays O(S log S).
   */
  static final class Autocovariance {
    private final double[] centered;
    private final int m;
    private final int n;
    private final double[] means;
    private final Supplier<Fft> fft;
    private final int directLimit;
    private double[] values;
    private int known;

    Autocovariance(double[] x, int m, int n, double[] means, Supplier<Fft> fft) {
      this.m = m;
      this.n = n;
      this.means = means;
      this.fft = fft;
      this.centered = new double[x.length];
      for (int j = 0; j < m; j++) {
        for (int i = 0; i < n; i++) {
          centered[j * n + i] = x[j * n + i] - means[j];
        }
      }
      this.values = new double[n];
      this.directLimit = directLimit(m, n);
    }

    /**
     * Lags worth summing directly. A lag costs S = m n multiply-adds; the FFT path ceil(m/2) + 1
     * transforms of {@code size} points, size log2(size) butterflies each, and a butterfly costs
     * about three multiply-adds (measured: 0.2 ms a lag, 17 ms the transforms, at m = 8, n = 50 000).
     * Half the break-even, so a sequence that runs past it costs at most 1.5 times the FFT alone.
     */
    static int directLimit(int m, int n) {
      int size = Fft.sizeFor(2 * n);
      double butterflies = ((m + 1) / 2 + 1) * (double) size * Integer.numberOfTrailingZeros(size);
      return (int) Math.max(8, Math.min(n, 1.5 * butterflies / ((double) m * n)));
    }

    double at(int t) {
      while (known <= t) {
        if (known >= directLimit) {
          values = meanAutocovariance(centered, m, n, fft.get());
          known = n;
          break;
        }
        values[known] = directLag(known);
        known++;
      }
      return values[t];
    }

    private double directLag(int t) {
      double total = 0;
      for (int j = 0; j < m; j++) {
        int base = j * n;
        int count = n - t;
        // four partial sums so that the additions do not wait on each other
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < count; i += 4) {
          s0 += centered[base + i] * centered[base + i + t];
          s1 += centered[base + i + 1] * centered[base + i + 1 + t];
          s2 += centered[base + i + 2] * centered[base + i + 2 + t];
          s3 += centered[base + i + 3] * centered[base + i + 3 + t];
        }
        for (; i < count; i++) {
          s0 += centered[base + i] * centered[base + i + t];
        }
        total += (s0 + s1) + (s2 + s3);
      }
      return total / ((double) n * m);
    }
  }

  /**
   * All n lags of the mean autocovariance of centred chains by FFT. The chains' power spectra
   * are summed, two chains per complex transform (real and imaginary part), and one more transform
   * turns the sum back into autocovariances: the cross terms of a pair are odd in frequency and drop
   * out of the real part.
   */
  static double[] meanAutocovariance(double[] centered, int m, int n, Fft fft) {
    int size = fft.size;
    double[] power = new double[size];
    double[] re = new double[size];
    double[] im = new double[size];
    for (int j = 0; j < m; j += 2) {
      Arrays.fill(re, 0);
      Arrays.fill(im, 0);
      System.arraycopy(centered, j * n, re, 0, n);
      if (j + 1 < m) {
        System.arraycopy(centered, (j + 1) * n, im, 0, n);
      }
      fft.forwardToBitReversed(re, im);
      for (int k = 0; k < size; k++) {
        power[k] += re[k] * re[k] + im[k] * im[k];
      }
    }
    Arrays.fill(im, 0);
    fft.inverseFromBitReversed(power, im);
    double[] acov = new double[n];
    double scale = 1.0 / ((double) size * n * m);
    for (int t = 0; t < n; t++) {
      acov[t] = power[t] * scale;
    }
    return acov;
  }

  private static double[] chainMeans(double[] x, int m, int n) {
    double[] means = new double[m];
    for (int j = 0; j < m; j++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += x[j * n + i];
      }
      means[j] = sum / n;
    }
    return means;
  }

  /** Sample variance, divisor length - 1. */
  private static double variance(double[] v) {
    double mean = 0;
    for (double x : v) {
      mean += x;
    }
    mean /= v.length;
    double squares = 0;
    for (double x : v) {
      squares += (x - mean) * (x - mean);
    }
    return squares / (v.length - 1);
  }

  /**
   * The p-quantile of ascending {@code sorted} by linear interpolation between order statistics,
   * computed like NumPy's {@code lerp} (from the upper neighbour when the weight is at least 1/2) so
   * that results match NumPy to the last bit.
   */
  static double quantile(double[] sorted, double p) {
    double h = (sorted.length - 1) * p;
    int k = (int) Math.floor(h);
    if (k >= sorted.length - 1) {
      return sorted[sorted.length - 1];
    }
    double weight = h - k;
    double a = sorted[k];
    double b = sorted[k + 1];
    double difference = b - a;
    return weight >= 0.5 ? b - difference * (1 - weight) : a + difference * weight;
  }

  /**
   * Indices that sort {@code x} ascending, -0.0 and 0.0 alike (finite values only). An LSD radix
   * sort on the bit patterns made unsigned-comparable: linear time, which matters at 10^5-10^6
   * draws where the rank normalization needs two of these per summary.
   */
  static int[] argsort(double[] x) {
    int n = x.length;
    long[] keys = new long[n];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      long bits = Double.doubleToRawLongBits(x[i] + 0.0);
      // negative numbers: flip all bits; positive: flip the sign bit
      keys[i] = bits ^ ((bits >> 63) | Long.MIN_VALUE);
      order[i] = i;
    }
    long[] keysOut = new long[n];
    int[] orderOut = new int[n];
    int[] count = new int[(1 << 16) + 1];
    for (int shift = 0; shift < 64; shift += 16) {
      Arrays.fill(count, 0);
      for (int i = 0; i < n; i++) {
        count[(int) ((keys[i] >>> shift) & 0xFFFF) + 1]++;
      }
      if (n == 0 || count[(int) ((keys[0] >>> shift) & 0xFFFF) + 1] == n) {
        continue; // every key has this digit: the pass would not move anything
      }
      for (int d = 0; d < 1 << 16; d++) {
        count[d + 1] += count[d];
      }
      for (int i = 0; i < n; i++) {
        int position = count[(int) ((keys[i] >>> shift) & 0xFFFF)]++;
        keysOut[position] = keys[i];
        orderOut[position] = order[i];
      }
      long[] swapKeys = keys;
      keys = keysOut;
      keysOut = swapKeys;
      int[] swapOrder = order;
      order = orderOut;
      orderOut = swapOrder;
    }
    return order;
  }

  /** The standard normal quantile function, accurate to a few ulps, and exactly odd about 1/2. */
  static double inverseNormal(double p) {
    if (p < 0.5) {
      return -SQRT2 * InverseErfc.value(2 * p);
    }
    if (p > 0.5) {
      return SQRT2 * InverseErfc.value(2 * (1 - p)); // 1 - p is exact for p in [1/2, 1]
    }
    return 0;
  }

  /** Rank-normalized scores for a fixed pool size S, with the scores of untied ranks tabulated. */
  static final class NormalScores {
    private final int size;
    private final double[] byRank;

    NormalScores(int size) {
      this.size = size;
      this.byRank = new double[size + 1];
      // the scores are odd about the middle rank, so only half of them need the quantile function
      for (int r = 1; 2 * r <= size + 1; r++) {
        double z = score(r);
        byRank[r] = z;
        byRank[size + 1 - r] = -z;
      }
    }

    private double score(double rank) {
      return inverseNormal((rank - RANK_OFFSET) / (size + 0.25));
    }

    /** The normal scores of {@code x} (of this pool size), tied values sharing their average rank. */
    double[] of(double[] x) {
      return of(x, argsort(x));
    }

    /** As {@link #of(double[])}, given the indices of x in ascending order of value. */
    double[] of(double[] x, int[] order) {
      double[] z = new double[size];
      int lo = 0;
      while (lo < size) {
        double value = x[order[lo]];
        int hi = lo + 1;
        while (hi < size && x[order[hi]] == value) {
          hi++;
        }
        // positions lo..hi-1 hold ranks lo+1..hi
        double score = hi == lo + 1 ? byRank[hi] : score((lo + 1 + hi) / 2.0);
        for (int k = lo; k < hi; k++) {
          z[order[k]] = score;
        }
        lo = hi;
      }
      return z;
    }
  }

  /** Radix-2 complex FFTs of one power-of-two size, with the twiddle factors computed once. */
  static final class Fft {
    final int size;
    private final double[] cos;
    private final double[] sin;

    /** A transform of the smallest power of two at least {@code minSize}. */
    Fft(int minSize) {
      int n = sizeFor(minSize);
      size = n;
      cos = new double[n / 2];
      sin = new double[n / 2];
      for (int k = 0; k < n / 2; k++) {
        double angle = 2 * Math.PI * k / n;
        cos[k] = Math.cos(angle);
        sin[k] = Math.sin(angle);
      }
    }

    static int sizeFor(int minSize) {
      int n = 2;
      while (n < minSize) {
        n <<= 1;
      }
      return n;
    }

    /**
     * In place, decimation in frequency: {@code X_k = sum_t x_t exp(-2 pi i k t / size)}, left in
     * bit-reversed order of k. Power spectra are summed elementwise, so the order does not matter
     * and {@link #inverseFromBitReversed} takes it as it is: no permutation pass at all.
     */
    void forwardToBitReversed(double[] re, double[] im) {
      for (int len = size; len >= 2; len >>= 1) {
        int half = len >> 1;
        int step = size / len;
        for (int start = 0; start < size; start += len) {
          for (int j = 0, w = 0; j < half; j++, w += step) {
            double wr = cos[w];
            double wi = -sin[w];
            int a = start + j;
            int b = a + half;
            double dr = re[a] - re[b];
            double di = im[a] - im[b];
            re[a] += re[b];
            im[a] += im[b];
            re[b] = dr * wr - di * wi;
            im[b] = dr * wi + di * wr;
          }
        }
      }
    }

    /**
     * In place, decimation in time from bit-reversed input to natural order, unnormalized:
     * {@code x_t = sum_k X_k exp(2 pi i k t / size)}.
     */
    void inverseFromBitReversed(double[] re, double[] im) {
      for (int len = 2; len <= size; len <<= 1) {
        int half = len >> 1;
        int step = size / len;
        for (int start = 0; start < size; start += len) {
          for (int j = 0, w = 0; j < half; j++, w += step) {
            double wr = cos[w];
            double wi = sin[w];
            int a = start + j;
            int b = a + half;
            double tr = re[b] * wr - im[b] * wi;
            double ti = re[b] * wi + im[b] * wr;
            re[b] = re[a] - tr;
            im[b] = im[a] - ti;
            re[a] += tr;
            im[a] += ti;
          }
        }
      }
    }
  }
}
