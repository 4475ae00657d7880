package io.flowc.runtime.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.numbers.gamma.Erfc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConvergenceTest {

  /** Standard normal by Box-Muller; StrictMath keeps the data bit-reproducible across JVMs. */
  private static double normal(SplittableRandom rng) {
    return StrictMath.sqrt(-2 * StrictMath.log(1 - rng.nextDouble()))
        * StrictMath.cos(2 * Math.PI * rng.nextDouble());
  }

  /** Stationary AR(1) chains x_{i+1} = phi x_i + sqrt(1 - phi^2) e_i, started from N(0, 1). */
  private static double[][] ar1(long seed, int chains, int draws, double phi) {
    SplittableRandom rng = new SplittableRandom(seed);
    double innovation = Math.sqrt(1 - phi * phi);
    double[][] x = new double[chains][draws];
    for (int c = 0; c < chains; c++) {
      double v = normal(rng);
      for (int i = 0; i < draws; i++) {
        x[c][i] = v;
        v = phi * v + innovation * normal(rng);
      }
    }
    return x;
  }

  /** Independent N(mean_c, sd_c^2) draws for chain c. */
  private static double[][] normals(long seed, int draws, double[] means, double[] sds) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] x = new double[means.length][draws];
    for (int c = 0; c < means.length; c++) {
      for (int i = 0; i < draws; i++) {
        x[c][i] = means[c] + sds[c] * normal(rng);
      }
    }
    return x;
  }

  private static double[][] iid(long seed, int chains, int draws) {
    double[] means = new double[chains];
    double[] sds = new double[chains];
    Arrays.fill(sds, 1);
    return normals(seed, draws, means, sds);
  }

  // ESS against known truth

  /**
   * An AR(1) chain has integrated autocorrelation time (1 + phi) / (1 - phi), so N draws are worth
   * N (1 - phi) / (1 + phi) independent ones; rank normalization of Gaussian draws is close to the
   * identity and keeps that. The estimator's spread was measured offline over 100 seeds at 4
   * chains of 50 000 draws: relative sd 0.007, 0.014, 0.033 and 0.012 for phi = 0, 0.5, 0.9,
   * -0.3 (mean bias under 0.4 %). The slowly mixing phi = 0.9 gets 8 chains (sd about 0.023), so
   * 10 % is at least 4.3 standard deviations everywhere; two seeds each.
   */
  @ParameterizedTest
  @CsvSource({"0.0, 4", "0.5, 4", "0.9, 8", "-0.3, 4"})
  void bulkEssOfAr1ChainsIsTheirKnownEss(double phi, int chains) {
    int draws = 50_000;
    double truth = (double) chains * draws * (1 - phi) / (1 + phi);
    for (long seed = 1; seed <= 2; seed++) {
      double ess = Convergence.essBulk(ar1(seed + Math.round(100 * phi), chains, draws, phi));
      assertEquals(truth, ess, 0.1 * truth, "phi " + phi + ", seed " + seed);
    }
  }

  /**
   * On independent draws each quantile indicator is an independent Bernoulli sequence, so the tail
   * ESS is about S; its estimate scatters by a few percent at S = 20 000.
   */
  @Test
  void tailEssOfIndependentDrawsIsTheirNumber() {
    for (long seed = 1; seed <= 3; seed++) {
      double[][] x = iid(seed, 4, 5_000);
      assertEquals(20_000, Convergence.essTail(x), 0.1 * 20_000, "seed " + seed);
      assertEquals(20_000, Convergence.essBulk(x), 0.1 * 20_000, "seed " + seed);
    }
  }

  @Test
  void mcseOfTheMeanOfIndependentDrawsIsSdOverRootN() {
    double[][] x = normals(7, 10_000, new double[] {2, 2, 2, 2}, new double[] {3, 3, 3, 3});
    assertEquals(3 / Math.sqrt(40_000), Convergence.mcseMean(x), 0.05 * 3 / Math.sqrt(40_000));
  }

  /** The MCSE of AR(1) draws is sd / sqrt(ESS): here 1 / sqrt(N (1 - phi) / (1 + phi)). */
  @Test
  void mcseOfTheMeanOfAr1DrawsUsesTheirEss() {
    double[][] x = ar1(11, 4, 50_000, 0.5);
    double expected = 1 / Math.sqrt(200_000 / 3.0);
    assertEquals(expected, Convergence.mcseMean(x), 0.06 * expected);
  }

  // R-hat against known truth

  @Test
  void independentChainsOfOneDistributionHaveRHatNearOne() {
    for (long seed = 1; seed <= 5; seed++) {
      double rHat = Convergence.rHat(iid(seed, 4, 1_000));
      assertTrue(rHat < 1.01, "seed " + seed + ": " + rHat);
      assertTrue(rHat > 0.99, "seed " + seed + ": " + rHat);
    }
  }

  @Test
  void chainsWithShiftedMeansHaveLargeRHat() {
    double[][] x = normals(3, 1_000, new double[] {0, 0, 0, 2}, new double[] {1, 1, 1, 1});
    double rHat = Convergence.rHat(x);
    assertTrue(rHat > 1.1, "R-hat " + rHat);
  }

  /**
   * Equal means, one chain three times wider: the bulk (location) R-hat sees nothing, the folded
   * draws |x - median| differ in location between chains and catch it. The bulk value comes from
   * the test's own reference implementation.
   */
  @Test
  void chainsWithEqualMeansAndDifferentScalesAreCaughtByFolding() {
    double[][] x = normals(5, 1_000, new double[] {0, 0, 0, 0}, new double[] {1, 1, 1, 3});
    double bulk = Reference.bulkRHat(x);
    assertTrue(bulk < 1.01, "bulk R-hat " + bulk);
    double rHat = Convergence.rHat(x);
    assertTrue(rHat > 1.1, "R-hat " + rHat);
  }

  /** One chain is split in halves: a chain that drifts between its halves is flagged alone. */
  @Test
  void aSingleChainIsComparedWithItself() {
    double[][] stationary = iid(9, 1, 2_000);
    assertTrue(Convergence.rHat(stationary) < 1.01);
    double[][] drifting = iid(9, 1, 2_000);
    for (int i = 1_000; i < 2_000; i++) {
      drifting[0][i] += 1;
    }
    assertTrue(Convergence.rHat(drifting) > 1.1);
    assertTrue(Convergence.essBulk(stationary) > 1_600);
  }

  // agreement with a direct implementation of the definitions

  /**
   * Small random inputs of 1 to 4 chains, odd and even lengths, with and without ties, and
   * autocorrelation: every statistic agrees with {@link Reference} (O(S^2) ranks, autocovariances
   * and quantile function by bisection) to 1e-10 relative.
   */
  @Test
  void agreesWithADirectImplementationOfTheDefinitions() {
    SplittableRandom rng = new SplittableRandom(2024);
    int cases = 0;
    for (int chains = 1; chains <= 4; chains++) {
      for (int draws : new int[] {4, 5, 7, 10, 33, 100, 151}) {
        for (int kind = 0; kind < 3; kind++) {
          double[][] x = new double[chains][draws];
          for (int c = 0; c < chains; c++) {
            double v = 0;
            for (int i = 0; i < draws; i++) {
              double e = normal(rng);
              v = kind == 2 ? 0.8 * v + e : e + 0.3 * c;
              // kind 1: values rounded to a coarse grid, so that ranks tie
              x[c][i] = kind == 1 ? Math.round(2 * v) / 2.0 : v;
            }
          }
          assertAgrees(x, "chains " + chains + ", draws " + draws + ", kind " + kind);
          cases++;
        }
      }
    }
    assertEquals(84, cases);
  }

  /**
   * Strongly autocorrelated draws: Geyer's sequence runs past the lags summed directly, so the
   * autocovariances come from the FFT; and antithetic draws, whose ESS exceeds S.
   */
  @Test
  void agreesWithADirectImplementationOnLongAutocorrelations() {
    double[][] slow = ar1(31, 2, 1_001, 0.99);
    double[] flat = Reference.pooled(Reference.split(slow));
    boolean[] transformed = {false};
    Convergence.ess(flat, 4, 500, () -> {
      transformed[0] = true;
      return new Convergence.Fft(1_000);
    });
    assertTrue(transformed[0], "the FFT path was not taken");
    assertAgrees(slow, "phi 0.99");
    double[][] antithetic = ar1(32, 3, 400, -0.7);
    assertTrue(Reference.ess(split(antithetic)) > 1_200);
    assertAgrees(antithetic, "phi -0.7");
  }

  /**
   * Values from {@code arviz_transcription.py} (in this package's test resources), ArviZ's {@code
   * _rhat_rank}, {@code _ess_bulk}, {@code _ess_tail} and {@code _mcse_mean} transcribed onto NumPy
   * 2.4 and SciPy 1.17 (rankdata, norm.ppf, rfft), on draws given by formulas: mean, sd, q5, q50,
   * q95, MCSE, bulk ESS, tail ESS, R-hat. The first set is capped at S log10 S; the third varies
   * slowly (bulk ESS 19 of 600 draws). One chain is split in halves here, where ArviZ itself would
   * refuse it (posterior accepts it). Tolerance 1e-9: sin and cos may differ from NumPy's in the
   * last bit.
   */
  @Test
  void agreesWithATranscriptionOfArviz() {
    double[][] expected = { // chains, draws, formula, then the nine statistics
      {3, 9, 0, 0.09825406840830189, 0.7404956209034067, -1.2303629620916017, 0.2123395630478669,
        1.0993098519798845, 0.12866016188679008, 33.12506980107854, 33.12506980107854, 0.888540229843065},
      {4, 50, 0, 0.024485378560496533, 0.7394799481350993, -1.1544192834154532, 0.008995962307568453,
        1.146564598013587, 0.0432185737325614, 286.6635232602614, 238.9318341531975, 0.984894615133293},
      {2, 301, 1, 0.11225484991807887, 0.721293846194269, -1.0400404624330273, 0.2201494405511956,
        1.0803794635401591, 0.17720169527855734, 18.780025089391092, 108.01417974171058, 1.0005797945236625},
      {1, 80, 0, 0.05298922755152369, 0.7334439651879081, -1.1190278422089155, 0.08879176989811502,
        1.211297862964781, 0.06819066340763923, 112.6471625605809, 92.07243460764585, 0.9955322979122714},
    };
    for (double[] row : expected) {
      int chains = (int) row[0];
      int draws = (int) row[1];
      double[][] x = new double[chains][draws];
      for (int c = 0; c < chains; c++) {
        for (int i = 0; i < draws; i++) {
          x[c][i] = row[2] == 0
              ? Math.sin(1.7 * i + c) + 0.3 * Math.cos(0.37 * i * i + 2 * c)
              : Math.sin(0.05 * i + 0.9 * c) + 0.2 * Math.sin(2.3 * i * (c + 1));
        }
      }
      ParameterSummary s = Convergence.summarize("x", x);
      double[] actual = {s.mean(), s.sd(), s.q5(), s.q50(), s.q95(), s.mcseMean(), s.essBulk(), s.essTail(), s.rHat()};
      for (int k = 0; k < actual.length; k++) {
        assertEquals(row[3 + k], actual[k], 1e-9 * Math.max(1, Math.abs(row[3 + k])),
            chains + " x " + draws + ", statistic " + k);
      }
    }
  }

  @Test
  void fftAutocovarianceEqualsDirectSums() {
    SplittableRandom rng = new SplittableRandom(41);
    for (int n : new int[] {2, 3, 17, 64, 65, 300}) {
      int m = 3;
      double[][] x = new double[m][n];
      double[] flat = new double[m * n];
      for (int j = 0; j < m; j++) {
        for (int i = 0; i < n; i++) {
          x[j][i] = normal(rng);
          flat[j * n + i] = x[j][i];
        }
      }
      double[] means = new double[m];
      double[] centered = new double[m * n];
      for (int j = 0; j < m; j++) {
        means[j] = Arrays.stream(x[j]).average().orElseThrow();
        for (int i = 0; i < n; i++) {
          centered[j * n + i] = x[j][i] - means[j];
        }
      }
      double[] fft = Convergence.meanAutocovariance(centered, m, n, new Convergence.Fft(2 * n));
      double[] direct = Reference.meanAutocovariance(x);
      for (int t = 0; t < n; t++) {
        assertEquals(direct[t], fft[t], 1e-13 * direct[0], "n " + n + ", lag " + t);
      }
    }
  }

  private static void assertAgrees(double[][] x, String label) {
    double[][] s = split(x);
    double rHat = nanMax(Reference.basicRHat(Reference.normalScores(s)),
        Reference.basicRHat(Reference.normalScores(split(Reference.folded(x)))));
    assertClose(rHat, Convergence.rHat(x), label + ": R-hat");
    assertClose(Reference.ess(Reference.normalScores(s)), Convergence.essBulk(x), label + ": bulk ESS");
    double[] pooled = Reference.pooled(x);
    double tail = -nanMax(-
        Reference.ess(split(Reference.indicator(x, Reference.quantile(pooled, 0.05)))),
        -Reference.ess(split(Reference.indicator(x, Reference.quantile(pooled, 0.95)))));
    assertClose(tail, Convergence.essTail(x), label + ": tail ESS");
    double mcse = Reference.sd(pooled) / Math.sqrt(Reference.ess(s));
    assertClose(mcse, Convergence.mcseMean(x), label + ": MCSE");

    ParameterSummary summary = Convergence.summarize("theta", x);
    assertEquals("theta", summary.name());
    assertClose(Arrays.stream(pooled).average().orElseThrow(), summary.mean(), label + ": mean");
    assertClose(Reference.sd(pooled), summary.sd(), label + ": sd");
    assertClose(Reference.quantile(pooled, 0.05), summary.q5(), label + ": q5");
    assertClose(Reference.quantile(pooled, 0.5), summary.q50(), label + ": q50");
    assertClose(Reference.quantile(pooled, 0.95), summary.q95(), label + ": q95");
    assertClose(mcse, summary.mcseMean(), label + ": summary MCSE");
    assertClose(Reference.ess(Reference.normalScores(s)), summary.essBulk(), label + ": summary bulk");
    assertClose(tail, summary.essTail(), label + ": summary tail");
    assertClose(rHat, summary.rHat(), label + ": summary R-hat");
  }

  /** The larger value, or the one that is not NaN. */
  private static double nanMax(double a, double b) {
    return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
  }

  private static void assertClose(double expected, double actual, String label) {
    if (Double.isNaN(expected)) {
      assertTrue(Double.isNaN(actual), label + ": expected NaN, got " + actual);
      return;
    }
    assertEquals(expected, actual, 1e-10 * Math.max(1, Math.abs(expected)), label);
  }

  private static double[][] split(double[][] x) {
    return Reference.split(x);
  }

  /**
   * The definitions of Vehtari et al. (2021), written out plainly and without regard to cost: ranks
   * by counting, autocovariances by their sums, the normal quantile by bisection on erfc. The Geyer
   * sequence follows ArviZ's {@code _ess} step by step (lag bounds included), in pair form.
   */
  static final class Reference {

    static double[] pooled(double[][] x) {
      return Arrays.stream(x).flatMapToDouble(Arrays::stream).toArray();
    }

    static double[][] split(double[][] x) {
      int half = x[0].length / 2;
      List<double[]> out = new ArrayList<>();
      for (double[] chain : x) {
        out.add(Arrays.copyOfRange(chain, 0, half));
        out.add(Arrays.copyOfRange(chain, chain.length - half, chain.length));
      }
      return out.toArray(new double[0][]);
    }

    static double quantile(double[] values, double p) {
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      double h = (sorted.length - 1) * p;
      int k = (int) Math.floor(h);
      return k + 1 < sorted.length ? sorted[k] + (h - k) * (sorted[k + 1] - sorted[k]) : sorted[k];
    }

    static double sd(double[] v) {
      double mean = Arrays.stream(v).average().orElseThrow();
      return Math.sqrt(Arrays.stream(v).map(a -> (a - mean) * (a - mean)).sum() / (v.length - 1));
    }

    static double[][] folded(double[][] x) {
      double median = quantile(pooled(x), 0.5);
      double[][] out = new double[x.length][];
      for (int c = 0; c < x.length; c++) {
        out[c] = Arrays.stream(x[c]).map(v -> Math.abs(v - median)).toArray();
      }
      return out;
    }

    static double[][] indicator(double[][] x, double threshold) {
      double[][] out = new double[x.length][];
      for (int c = 0; c < x.length; c++) {
        out[c] = Arrays.stream(x[c]).map(v -> v <= threshold ? 1 : 0).toArray();
      }
      return out;
    }

    /**
     * Phi^-1(p) by bisection on Phi(z) = erfc(-z / sqrt 2) / 2, to the last bit. Above 1/2 by
     * symmetry, since Phi(z) near 1 would only be resolved to 1e-16 absolute.
     */
    static double inverseNormal(double p) {
      if (p > 0.5) {
        return -inverseNormal(1 - p);
      }
      double lo = -40;
      double hi = 40;
      for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (mid == lo || mid == hi) {
          break;
        }
        if (0.5 * Erfc.value(-mid / Math.sqrt(2)) < p) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      return 0.5 * (lo + hi);
    }

    static double[][] normalScores(double[][] x) {
      double[] all = pooled(x);
      int size = all.length;
      double[][] z = new double[x.length][];
      for (int c = 0; c < x.length; c++) {
        z[c] = new double[x[c].length];
        for (int i = 0; i < x[c].length; i++) {
          int below = 0;
          int equal = 0;
          for (double a : all) {
            below += a < x[c][i] ? 1 : 0;
            equal += a == x[c][i] ? 1 : 0;
          }
          double rank = below + (equal + 1) / 2.0;
          z[c][i] = inverseNormal((rank - 0.375) / (size + 0.25));
        }
      }
      return z;
    }

    static double basicRHat(double[][] x) {
      int m = x.length;
      int n = x[0].length;
      double[] means = new double[m];
      double within = 0;
      for (int j = 0; j < m; j++) {
        means[j] = Arrays.stream(x[j]).average().orElseThrow();
        within += Math.pow(sd(x[j]), 2) / m;
      }
      double between = n * Math.pow(sd(means), 2);
      return Math.sqrt(((n - 1.0) / n * within + between / n) / within);
    }

    static double bulkRHat(double[][] x) {
      return basicRHat(normalScores(split(x)));
    }

    /** mean over chains of (1/n) sum_{i < n - t} (x_i - mean)(x_{i+t} - mean), every lag. */
    static double[] meanAutocovariance(double[][] x) {
      int m = x.length;
      int n = x[0].length;
      double[] acov = new double[n];
      for (double[] chain : x) {
        double mean = Arrays.stream(chain).average().orElseThrow();
        for (int t = 0; t < n; t++) {
          double sum = 0;
          for (int i = 0; i + t < n; i++) {
            sum += (chain[i] - mean) * (chain[i + t] - mean);
          }
          acov[t] += sum / n / m;
        }
      }
      return acov;
    }

    static double ess(double[][] x) {
      double[] all = pooled(x);
      if (Arrays.stream(all).allMatch(v -> v == all[0])) {
        return Double.NaN;
      }
      int m = x.length;
      int n = x[0].length;
      double[] acov = meanAutocovariance(x);
      double[] means = Arrays.stream(x).mapToDouble(c -> Arrays.stream(c).average().orElseThrow()).toArray();
      double w = acov[0] * n / (n - 1);
      double varPlus = w * (n - 1) / n + (m > 1 ? Math.pow(sd(means), 2) : 0);
      double[] rho = new double[n];
      for (int t = 0; t < n; t++) {
        rho[t] = 1 - (w - acov[t]) / varPlus;
      }
      rho[0] = 1;
      // pairs P_k = rho(2k) + rho(2k+1); pair k >= 1 is looked at while the previous one was
      // positive and 2k + 1 < n - 1 (ArviZ: t < n - 3 with t = 2k - 1)
      int last = 0; // the last pair looked at
      double lastSum = rho[0] + rho[1];
      for (int k = 1; 2 * k - 1 < n - 3 && lastSum > 0; k++) {
        last = k;
        lastSum = rho[2 * k] + rho[2 * k + 1];
      }
      // The pairs summed are 0..last-1; the last pair looked at contributes its even term: all of
      // it when its pair was kept (sum >= 0), else only if positive. In between a sum of exactly 0
      // counts as kept and ends the sequence.
      int pairs = last;
      double finalTerm;
      if (last == 0) {
        finalTerm = rho[0];
      } else if (lastSum >= 0) {
        finalTerm = rho[2 * last];
      } else {
        finalTerm = Math.max(rho[2 * last], 0);
      }
      double sum = 0;
      double previous = Double.POSITIVE_INFINITY;
      for (int k = 0; k < pairs; k++) {
        double pair = rho[2 * k] + rho[2 * k + 1];
        previous = Math.min(previous, pair); // the initial monotone sequence
        sum += previous;
      }
      double size = (double) m * n;
      double tau = Math.max(-1 + 2 * sum + finalTerm, 1 / Math.log10(size));
      return size / tau;
    }
  }

  // quantiles and summaries

  @Test
  void quantilesInterpolateLinearlyBetweenOrderStatistics() {
    // pooled 1..10 in scrambled order: h = 9 p, so q5 = 1.45, q50 = 5.5, q95 = 9.55 up to the
    // rounding of 9 * 0.95; the exact doubles are NumPy 2.4's np.quantile
    double[][] x = {{7, 2, 9, 4, 1}, {10, 3, 8, 6, 5}};
    ParameterSummary s = Convergence.summarize("a", x);
    assertEquals(1.45, s.q5(), 0);
    assertEquals(5.5, s.q50(), 0);
    assertEquals(9.549999999999999, s.q95(), 0);
    assertEquals(9.55, s.q95(), 1e-14);
    assertEquals(5.5, s.mean(), 1e-15);
    assertEquals(Math.sqrt(55 / 6.0), s.sd(), 1e-15);
    // 21 values 0, 0.5, ..., 10 with a tie: h = 20 p lands on order statistics 1, 10 and 19
    double[] v = new double[21];
    for (int i = 0; i < 21; i++) {
      v[i] = i / 2.0;
    }
    v[20] = 9.5;
    assertEquals(0.5, Convergence.summarize("b", new double[][] {v}).q5(), 1e-15);
    assertEquals(5.0, Convergence.summarize("b", new double[][] {v}).q50(), 1e-15);
    assertEquals(9.5, Convergence.summarize("b", new double[][] {v}).q95(), 1e-15);
    // three values 0, 10, 20: q5 = 0 + 0.1 * 10, q95 = 10 + 0.9 * 10
    ParameterSummary three = Convergence.summarize("c", new double[][] {{20}, {0}, {10}});
    assertEquals(1.0, three.q5(), 1e-15);
    assertEquals(10.0, three.q50(), 0);
    assertEquals(19.0, three.q95(), 1e-15);
  }

  @Test
  void inverseNormalAgreesWithBisectionOnErfc() {
    for (double p : new double[] {1e-300, 1e-20, 1e-6, 0.001, 0.025, 0.2, 0.4999, 0.5, 0.7, 0.975, 1 - 1e-12}) {
      double expected = Reference.inverseNormal(p);
      assertEquals(expected, Convergence.inverseNormal(p), 1e-14 * Math.max(1, Math.abs(expected)), "p " + p);
    }
    // SciPy 1.17's norm.ppf
    assertEquals(-1.9599639845400545, Convergence.inverseNormal(0.025), 1e-15);
    assertEquals(7.0344869100478356, Convergence.inverseNormal(1 - 1e-12), 1e-14);
    assertEquals(-37.0470962993612, Convergence.inverseNormal(1e-300), 1e-13);
    assertEquals(0, Convergence.inverseNormal(0.5), 0);
  }

  @Test
  void argsortOrdersNegativeZeroPositiveAndTies() {
    double[] x = {3.5, -0.0, -2, 0.0, 1e-300, -1e300, 3.5, -Double.MIN_VALUE, 7};
    int[] order = Convergence.argsort(x);
    for (int k = 1; k < order.length; k++) {
      assertTrue(x[order[k - 1]] <= x[order[k]], "position " + k);
    }
    assertEquals(x.length, Arrays.stream(order).distinct().count());
  }

  @Test
  void statisticsDoNotDependOnTheOrderOfTheChains() {
    double[][] x = normals(13, 300, new double[] {0, 0.2, 0.1}, new double[] {1, 1.2, 0.9});
    double[][] swapped = {x[2], x[0], x[1]};
    assertEquals(Convergence.rHat(x), Convergence.rHat(swapped), 1e-14);
    assertEquals(Convergence.essBulk(x), Convergence.essBulk(swapped), 1e-9);
    assertEquals(Convergence.essTail(x), Convergence.essTail(swapped), 1e-9);
  }

  @Test
  void theInputIsNotModified() {
    double[][] x = iid(17, 2, 101);
    double[][] copy = {x[0].clone(), x[1].clone()};
    Convergence.summarize("x", x);
    assertTrue(Arrays.deepEquals(copy, x));
  }

  // edge cases and input checks

  @Test
  void constantDrawsGiveNaNDiagnosticsAndExactMoments() {
    double[][] x = {{2.5, 2.5, 2.5, 2.5, 2.5}, {2.5, 2.5, 2.5, 2.5, 2.5}};
    ParameterSummary s = Convergence.summarize("c", x);
    assertEquals(2.5, s.mean());
    assertEquals(0, s.sd());
    assertEquals(2.5, s.q5());
    assertEquals(2.5, s.q95());
    assertTrue(Double.isNaN(s.rHat()));
    assertTrue(Double.isNaN(s.essBulk()));
    assertTrue(Double.isNaN(s.essTail()));
    assertTrue(Double.isNaN(s.mcseMean()));
    assertTrue(Double.isNaN(Convergence.rHat(x)));
    assertTrue(Double.isNaN(Convergence.essBulk(x)));
  }

  /** Each chain stuck at its own value: no variance within chains, some between: R-hat +inf. */
  @Test
  void chainsStuckAtDifferentValuesHaveInfiniteRHat() {
    double[][] x = {{1, 1, 1, 1, 1, 1}, {2, 2, 2, 2, 2, 2}};
    assertEquals(Double.POSITIVE_INFINITY, Convergence.rHat(x));
  }

  @Test
  void fewerThanFourDrawsPerChainGiveNaNDiagnostics() {
    double[][] x = {{1, 2, 3}, {4, 6, 5}};
    ParameterSummary s = Convergence.summarize("short", x);
    assertEquals(3.5, s.mean(), 1e-15);
    assertEquals(3.5, s.q50(), 1e-15);
    assertTrue(Double.isNaN(s.rHat()));
    assertTrue(Double.isNaN(s.essBulk()));
    assertTrue(Double.isNaN(s.essTail()));
    assertTrue(Double.isNaN(s.mcseMean()));
    assertTrue(Double.isNaN(Convergence.summarize("one", new double[][] {{1}}).sd()));
    assertTrue(Double.isFinite(Convergence.rHat(new double[][] {{1, 3, 2, 4}})));
  }

  @Test
  void invalidInputIsRejectedClearly() {
    assertThrows(NullPointerException.class, () -> Convergence.rHat(null));
    assertThrows(NullPointerException.class, () -> Convergence.essBulk(new double[][] {{1, 2}, null}));
    assertThrows(NullPointerException.class, () -> Convergence.summarize(null, new double[][] {{1}}));
    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class, () -> Convergence.rHat(new double[0][]));
    assertTrue(none.getMessage().contains("no chains"), none.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Convergence.essTail(new double[][] {{}}));
    IllegalArgumentException unequal = assertThrows(IllegalArgumentException.class,
        () -> Convergence.summarize("u", new double[][] {{1, 2, 3, 4, 5}, {1, 2, 3, 4}}));
    assertTrue(unequal.getMessage().contains("equal lengths"), unequal.getMessage());
    assertTrue(unequal.getMessage().contains("chain 1 has 4"), unequal.getMessage());
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> Convergence.mcseMean(new double[][] {{1, 2, 3, 4}, {1, 2, Double.NaN, 4}}));
    assertTrue(nan.getMessage().contains("draw 2 of chain 1"), nan.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Convergence.rHat(new double[][] {{1, 2, Double.POSITIVE_INFINITY, 4}}));
    assertThrows(IllegalArgumentException.class, () -> Convergence.warnings(List.of(), 0));
  }

  // warnings

  private static ParameterSummary summary(String name, double essBulk, double essTail, double rHat) {
    return new ParameterSummary(name, 0, 1, -1.6, 0, 1.6, 0.01, essBulk, essTail, rHat);
  }

  @Test
  void noWarningsForHealthyChains() {
    List<ParameterSummary> good = List.of(summary("a", 1500, 1200, 1.002), summary("b", 400, 400, 1.01));
    assertEquals(List.of(), Convergence.warnings(good, 4));
  }

  @Test
  void rHatWarningUsesPyMc3WordingAndNamesTheWorstFirst() {
    List<ParameterSummary> s = List.of(
        summary("a", 1500, 1200, 1.02), summary("b", 1500, 1200, 1.005), summary("c", 1500, 1200, 1.011));
    assertEquals(List.of("The rhat statistic is larger than 1.01 for some parameters. This indicates"
        + " slight problems during sampling. Largest: a (1.020), c (1.011)."), Convergence.warnings(s, 4));
    assertEquals(List.of("The rhat statistic is larger than 1.2 for some parameters. Largest: z[1] (1.300)."),
        Convergence.warnings(List.of(summary("z[1]", 1500, 1500, 1.3)), 4));
    assertEquals(List.of("The rhat statistic is larger than 1.4 for some parameters. The sampler did"
        + " not converge. Largest: q (2.000), p (1.050)."),
        Convergence.warnings(List.of(summary("p", 1500, 1500, 1.05), summary("q", 1500, 1500, 2)), 4));
  }

  @Test
  void essWarningIsAboutOneHundredPerChainOnBulkOrTail() {
    List<ParameterSummary> s = List.of(
        summary("a", 150, 500, 1.0), summary("b", 500, 90, 1.0), summary("c", 500, 300, 1.0));
    assertEquals(List.of("The estimated number of effective samples is smaller than 200 for some"
        + " parameters. Smallest: b (tail 90), a (bulk 150)."), Convergence.warnings(s, 2));
    assertEquals(List.of(
        "Only one chain was sampled, this makes it impossible to run some convergence checks",
        "The estimated number of effective samples is smaller than 100 for some parameters."
            + " Smallest: b (tail 90)."), Convergence.warnings(s, 1));
  }

  @Test
  void warningsNameAtMostFiveParameters() {
    List<ParameterSummary> s = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      s.add(summary("z[" + i + "]", 50 + i, 1000, 1.1 + i / 100.0));
    }
    List<String> lines = Convergence.warnings(s, 4);
    assertEquals(2, lines.size());
    assertTrue(lines.get(0).endsWith("Largest: z[7] (1.170), z[6] (1.160), z[5] (1.150), z[4] (1.140),"
        + " z[3] (1.130) and 3 more."), lines.get(0));
    assertTrue(lines.get(1).startsWith("The estimated number of effective samples is smaller than 400"), lines.get(1));
    assertTrue(lines.get(1).endsWith("z[4] (bulk 54) and 3 more."), lines.get(1));
  }

  @Test
  void oneChainIsNotedAndNaNStatisticsRaiseNothing() {
    List<ParameterSummary> s = List.of(summary("a", Double.NaN, Double.NaN, Double.NaN));
    assertEquals(List.of("Only one chain was sampled, this makes it impossible to run some convergence checks"),
        Convergence.warnings(s, 1));
    assertEquals(List.of(), Convergence.warnings(s, 2));
  }
}
