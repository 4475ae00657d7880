package io.flowc.runtime.diagnostics;

import java.util.Arrays;
import java.util.Objects;

/**
 * Pareto-smoothed importance sampling (PSIS) and its k-hat diagnostic for a variational fit.
 *
 * <p>Given S draws {@code z_s ~ q} of a fitted flow and the log importance ratios
 * {@code r_s = log p~(z_s) - log q(z_s)} against an unnormalized target {@code p~}, {@link #paretoK}
 * estimates the shape k of a generalized Pareto distribution (GPD) fitted to the largest ratios
 * (Yao, Vehtari, Simpson and Gelman 2018, "Yes, but did it work?: Evaluating variational
 * inference"; Vehtari, Simpson, Gelman, Yao and Gabry, "Pareto smoothed importance sampling"). The
 * ratios have finite moments of order below 1/k, so:
 *
 * <ul>
 *   <li>k &lt; 0.5: the ratios have finite variance; q is a good fit and importance sampling works;
 *   <li>0.5 &le; k &le; 0.7: the variance is infinite but PSIS estimates are still usable;
 *   <li>k &gt; {@value #UNRELIABLE_K}: q is too light-tailed or misplaced against p; neither q nor
 *       importance sampling with it can be trusted.
 * </ul>
 *
 * <p>The procedure is that of the loo R package and ArviZ ({@code psislw}, {@code gpdfit}), with
 * {@code r_eff = 1} since draws of q are independent:
 *
 * <ol>
 *   <li>Tail length {@code M = min(ceil(S / 5), ceil(3 sqrt(S)))}.
 *   <li>Shift the log ratios by their maximum (so the largest is 0 and exponentials cannot
 *       overflow); the threshold is the (M+1)-th largest shifted value, but no lower than {@code
 *       log(Double.MIN_NORMAL)} (about -708.4).
 *   <li>The tail is the draws strictly above the threshold (M of them unless there are ties at the
 *       threshold); their exceedances {@code exp(x) - exp(threshold)} are fitted with the
 *       empirical-Bayes profile-likelihood estimator of Zhang and Stephens (2009) on a grid of
 *       {@code 30 + floor(sqrt(n))} values, with loo's weakly informative prior on k: {@code k <-
 *       (n k + 10 * 0.5) / (n + 10)} for n exceedances.
 * </ol>
 *
 * The exceedances are fitted in units of {@code exp(threshold)}, that is as {@code expm1(x -
 * threshold)}: the estimator is scale invariant, so k is the same, and the values stay well scaled
 * however far below the maximum the threshold lies.
 *
 * <p>Inputs and edge cases, the same for both methods:
 *
 * <ul>
 *   <li>Fewer than {@value #MIN_DRAWS} draws: {@link IllegalArgumentException}. Below that M is
 *       under 5 and the reference reports k = +inf without fitting; an exception says plainly that
 *       the sample is too small rather than that the fit is bad.
 *   <li>A NaN or +Infinity log ratio: {@link IllegalArgumentException} naming its index (a NaN is
 *       a broken density evaluation; +Infinity is an infinite ratio, e.g. {@code log q = -inf} at a
 *       draw of q, and leaves nothing to estimate). A null array: {@link NullPointerException}.
 *   <li>-Infinity log ratios ({@code p~(z) = 0}) are legal: they get weight 0 and never enter the
 *       tail. If every log ratio is -Infinity there is no weight to normalize: {@link
 *       IllegalArgumentException}.
 *   <li>If the M+1 largest log ratios are all equal (in particular, if all log ratios are equal,
 *       as when log p~ and log q differ by an exact constant) nothing exceeds the threshold: the
 *       weights are bounded and their largest value is shared by more than M draws. k is then
 *       {@link Double#NEGATIVE_INFINITY}, the GPD shape of a point mass. (loo and ArviZ report +inf
 *       here, meaning only "no fit was possible"; that would flag a perfect fit as unreliable.)
 *   <li>If only 1 to 4 draws exceed the threshold (because of ties at the threshold, or because
 *       all but those few draws have weight below {@code Double.MIN_NORMAL} times the largest), k
 *       is {@link Double#POSITIVE_INFINITY}, as in the reference: the GPD cannot be fitted, and the
 *       weight rests on a handful of draws.
 *   <li>A fit that fails numerically (a NaN estimate, possible only for pathological tails such as
 *       exceedances a few ulps above the threshold next to much larger ones) gives +inf, as in loo.
 * </ul>
 *
 * The input array is never modified, and k does not depend on the order of the draws or on a
 * constant added to every log ratio (up to rounding of the addition).
 */
public final class ParetoSmoothing {

  /** The fewest draws accepted: the smallest S whose tail length M is at least 5. */
  public static final int MIN_DRAWS = 21;

  /** Above this k the fit is unreliable (Yao et al. 2018). */
  public static final double UNRELIABLE_K = 0.7;

  /** Fewest exceedances the GPD is fitted to (loo's {@code enough_tail_samples}). */
  static final int MIN_TAIL = 5;

  /** Scale of Zhang and Stephens' prior: the grid of theta lies below 1/x_max in units of 1/(3 x*). */
  private static final double PRIOR_BS = 3;

  /** Weight (pseudo-sample size) of the weakly informative prior on k, centred on 0.5. */
  private static final double PRIOR_K = 10;

  /** Grid points whose normalized weight is below this are left out of theta's posterior mean. */
  private static final double NEGLIGIBLE_WEIGHT = 10 * Math.ulp(1.0);

  /** The threshold's floor, log of the smallest normal double, as in ArviZ. */
  private static final double LOG_MIN_NORMAL = Math.log(Double.MIN_NORMAL);

  private ParetoSmoothing() {}

  /**
   * The Pareto k-hat diagnostic of {@code logRatios}: the estimated shape of the GPD fitted to the
   * largest importance ratios. See the class documentation for the algorithm and edge cases.
   *
   * @param logRatios {@code log p~(z_s) - log q(z_s)} for S &ge; {@value #MIN_DRAWS} draws of q; not
   *     modified
   * @return k, possibly {@code -Infinity} (tail a point mass) or {@code +Infinity} (tail too short
   *     to fit)
   * @throws IllegalArgumentException for too few draws, a NaN or +Infinity ratio, or all ratios
   *     -Infinity
   */
  public static double paretoK(double[] logRatios) {
    return smooth(logRatios, false).k;
  }

  /**
   * The PSIS log weights of the draws, normalized so that their exponentials sum to 1. The ratios
   * above the threshold are replaced, in rank order, by the GPD quantiles at {@code (i - 0.5) / n},
   * i = 1..n, and truncated at the largest raw ratio; when no GPD was fitted (k infinite) these are
   * the raw ratios normalized. -Infinity ratios give -Infinity (weight 0). Same inputs and
   * exceptions as {@link #paretoK}.
   */
  public static double[] smoothedLogWeights(double[] logRatios) {
    return smooth(logRatios, true).logWeights;
  }

  /** k and, when asked for, the normalized smoothed log weights. */
  private record Smoothed(double k, double[] logWeights) {}

  private static Smoothed smooth(double[] logRatios, boolean wantWeights) {
    Objects.requireNonNull(logRatios, "logRatios");
    int draws = logRatios.length;
    if (draws < MIN_DRAWS) {
      throw new IllegalArgumentException("Pareto smoothing needs at least " + MIN_DRAWS
          + " draws so that the tail holds " + MIN_TAIL + " of them; got " + draws);
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int s = 0; s < draws; s++) {
      double r = logRatios[s];
      if (Double.isNaN(r)) {
        throw new IllegalArgumentException("log importance ratio " + s + " is NaN");
      }
      if (r == Double.POSITIVE_INFINITY) {
        throw new IllegalArgumentException("log importance ratio " + s
            + " is +Infinity (log q = -Infinity or log p = +Infinity at that draw)");
      }
      max = Math.max(max, r);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      throw new IllegalArgumentException(
          "all " + draws + " log importance ratios are -Infinity: the target density is zero at every draw");
    }

    double[] shifted = new double[draws];
    for (int s = 0; s < draws; s++) {
      shifted[s] = logRatios[s] - max;
    }
    int tailLength = tailLength(draws);
    // the tail and the value below it, ascending: the end of the sorted ratios, without sorting
    // them all (100,000 ratios of a fit's final loss cost a fresh process 30 ms sorted)
    double[] top = largest(shifted, tailLength + 1);
    double cutoff = Math.max(top[0], LOG_MIN_NORMAL);
    int first = 1;
    while (first < top.length && !(top[first] > cutoff)) {
      first++;
    }
    int exceeding = top.length - first;

    double k;
    double sigma = Double.NaN;
    if (exceeding == 0) {
      k = Double.NEGATIVE_INFINITY;
    } else if (exceeding < MIN_TAIL) {
      k = Double.POSITIVE_INFINITY;
    } else {
      double[] excess = new double[exceeding];
      for (int i = 0; i < exceeding; i++) {
        excess[i] = Math.expm1(top[first + i] - cutoff);
      }
      double[] fit = gpdFit(excess);
      k = Double.isNaN(fit[0]) ? Double.POSITIVE_INFINITY : fit[0];
      sigma = fit[1];
    }
    if (!wantWeights) {
      return new Smoothed(k, null);
    }

    double[] logWeights = shifted;
    if (Double.isFinite(k) && sigma > 0 && Double.isFinite(sigma)) {
      int[] tail = tailIndices(shifted, cutoff, exceeding);
      for (int i = 0; i < exceeding; i++) {
        double q = gpdQuantile((i + 0.5) / exceeding, k, sigma);
        // exp(cutoff) + exp(cutoff) q, on the log scale, truncated at the largest raw ratio (0)
        logWeights[tail[i]] = Math.min(cutoff + Math.log1p(q), 0.0);
      }
    }
    double normalizer = logSumExp(logWeights);
    for (int s = 0; s < draws; s++) {
      logWeights[s] -= normalizer;
    }
    return new Smoothed(k, logWeights);
  }

  /**
   * The {@code count} largest of {@code values} in ascending order, as {@link Arrays#sort(double[])}
   * would leave them at the end of the array: a heap of the largest seen so far, its least at the
   * root, then the heap sorted.
   */
  static double[] largest(double[] values, int count) {
    double[] heap = new double[count];
    for (int s = 0; s < values.length; s++) {
      double x = values[s];
      if (s < count) {
        int i = s;
        while (i > 0 && Double.compare(x, heap[(i - 1) / 2]) < 0) {
          heap[i] = heap[(i - 1) / 2];
          i = (i - 1) / 2;
        }
        heap[i] = x;
      } else if (Double.compare(x, heap[0]) > 0) {
        int i = 0;
        while (true) {
          int child = 2 * i + 1;
          if (child >= count) {
            break;
          }
          if (child + 1 < count && Double.compare(heap[child + 1], heap[child]) < 0) {
            child++;
          }
          if (Double.compare(heap[child], x) >= 0) {
            break;
          }
          heap[i] = heap[child];
          i = child;
        }
        heap[i] = x;
      }
    }
    Arrays.sort(heap);
    return heap;
  }

  /** loo's {@code n_pareto} with r_eff = 1: {@code ceil(min(S / 5, 3 sqrt(S)))}. */
  static int tailLength(int draws) {
    int fifth = draws / 5 + (draws % 5 == 0 ? 0 : 1);
    return Math.min(fifth, (int) Math.ceil(3 * Math.sqrt(draws)));
  }

  /** Indices of the {@code count} draws above {@code cutoff}, in ascending order of their value. */
  private static int[] tailIndices(double[] values, double cutoff, int count) {
    Integer[] boxed = new Integer[count];
    int n = 0;
    for (int s = 0; s < values.length; s++) {
      if (values[s] > cutoff) {
        boxed[n++] = s;
      }
    }
    Arrays.sort(boxed, (a, b) -> Double.compare(values[a], values[b]));
    int[] indices = new int[count];
    for (int i = 0; i < count; i++) {
      indices[i] = boxed[i];
    }
    return indices;
  }

  /**
   * Zhang and Stephens' (2009) empirical-Bayes estimate of the GPD's shape and scale from positive
   * exceedances {@code x} sorted ascending, in loo's sign convention (k &gt; 0 is a heavy tail), with
   * the weakly informative prior on k applied.
   *
   * <p>With {@code theta = -k / sigma}, the profile log likelihood of theta is {@code n (log(-theta
   * / k(theta)) - k(theta) - 1)} where {@code k(theta) = mean(log1p(-theta x))}. The grid is
   * {@code theta_j = 1 / x_(n) + (1 - sqrt(m / (j - 1/2))) / (3 x*)}, j = 1..m, m = 30 +
   * floor(sqrt(n)), x* the first quartile {@code x_(floor(n / 4 + 1/2))}; theta's posterior mean
   * weights the grid by likelihood (weights below 10 ulp(1) dropped, as in ArviZ). Then {@code k =
   * k(theta_hat)}, {@code sigma = -k / theta_hat}, and {@code k <- (n k + 10 * 0.5) / (n + 10)}.
   *
   * @param x at least one positive exceedance, sorted ascending
   * @return {k, sigma}; sigma is computed from k before the prior adjustment, as in the reference
   */
  static double[] gpdFit(double[] x) {
    int n = x.length;
    int gridSize = 30 + (int) Math.floor(Math.sqrt(n));
    double quartile = x[(int) Math.floor(n / 4.0 + 0.5) - 1];
    double[] theta = new double[gridSize];
    double[] logLik = new double[gridSize];
    double best = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < gridSize; j++) {
      theta[j] = 1 / x[n - 1] + (1 - Math.sqrt(gridSize / (j + 0.5))) / (PRIOR_BS * quartile);
      double kj = meanLog1p(theta[j], x);
      logLik[j] = n * (Math.log(negThetaOverK(theta[j], kj, x)) - kj - 1);
      if (logLik[j] > best) {
        best = logLik[j];
      }
    }
    // normalized likelihood weights, 1 / sum_i exp(l_i - l_j), computed as a softmax
    double[] weight = new double[gridSize];
    double total = 0;
    for (int j = 0; j < gridSize; j++) {
      weight[j] = Math.exp(logLik[j] - best);
      total += weight[j];
    }
    double kept = 0;
    for (int j = 0; j < gridSize; j++) {
      weight[j] /= total;
      if (!(weight[j] >= NEGLIGIBLE_WEIGHT)) {
        weight[j] = 0;
      }
      kept += weight[j];
    }
    double thetaHat = 0;
    for (int j = 0; j < gridSize; j++) {
      thetaHat += theta[j] * (weight[j] / kept);
    }
    double k = meanLog1p(thetaHat, x);
    double sigma = 1 / negThetaOverK(thetaHat, k, x);
    k = (n * k + PRIOR_K * 0.5) / (n + PRIOR_K);
    return new double[] {k, sigma};
  }

  /** {@code mean(log1p(-theta x))}, summed in the order of x. */
  private static double meanLog1p(double theta, double[] x) {
    double sum = 0;
    for (double xi : x) {
      sum += Math.log1p(-theta * xi);
    }
    return sum / x.length;
  }

  /** {@code -theta / k} (= 1 / sigma), with its limit 1 / mean(x) at theta = 0 where k = 0 too. */
  private static double negThetaOverK(double theta, double k, double[] x) {
    if (k != 0) {
      return -theta / k;
    }
    double mean = 0;
    for (double xi : x) {
      mean += xi;
    }
    return x.length / mean;
  }

  /** The GPD's quantile function at p in (0, 1), location 0: {@code sigma expm1(-k log1p(-p)) / k}. */
  static double gpdQuantile(double p, double k, double sigma) {
    double logSurvival = Math.log1p(-p);
    if (Math.abs(k) < Math.ulp(1.0)) {
      return -sigma * logSurvival;
    }
    return sigma * Math.expm1(-k * logSurvival) / k;
  }

  /** log(sum(exp(v))) for values whose largest is finite. */
  private static double logSumExp(double[] values) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : values) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
  }
}
