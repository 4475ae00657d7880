package io.flowc.compiler.nuts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.diagnostics.Convergence;
import io.flowc.runtime.diagnostics.ParameterSummary;
import io.flowc.runtime.nuts.ChainStats;
import io.flowc.runtime.nuts.Nuts;
import io.flowc.runtime.nuts.NutsResult;
import io.flowc.runtime.nuts.NutsSettings;
import io.flowc.runtime.nuts.SamplerReport;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * NUTS on compiled models against known answers: the notebook's potentials against the grid
 * quadrature of {@code reference/potentials.json}, a 100-d normal, and Neal's funnel.
 *
 * <p>Every check compares an expectation E[f(z)] (a moment, or a probability P(f(z) &lt;= x) at a
 * reference quantile x) with the truth, allowing 4 Monte Carlo standard errors (estimated from
 * the draws of f, so slow mixing widens them) plus the reference's own rounding; and every check
 * must have a standard error below a bound, so that a sampler that barely moves cannot pass on
 * wide error bars. The potentials' hard parts decide what is checked: pot1's two lobes at z[0] =
 * +-2 are rarely crossed, so chains start in both (as the notebook does) and only statistics that
 * are the same in each lobe are used (|z[0]|, z[0]^2, z[1]); pot2..pot4 are Laplace(0, 10) along
 * z[0], which NUTS explores slowly, so their chains are long and z[0] is checked through |z[0]|
 * and z[0]^2.
 */
class NutsPotentialsTest {
  /** Allowed deviation in standard errors. */
  private static final double Z = 4;
  /** The standard normal's 95 % quantile. */
  private static final double NORMAL_95 = 1.6448536269514722;

  static LogDensity example(String name) throws Exception {
    return Compilation.load(FrontEnd.check(new SourceFile(name, Files.readString(TestPaths.example(name)))));
  }

  static JsonNode reference(String name) {
    return TestPaths.potential(name);
  }

  static NutsSettings settings(int chains, int tune, int draws, long seed) {
    return NutsSettings.defaults().withChains(chains).withTune(tune).withDraws(draws).withSeed(seed).withThreads(2);
  }

  /** f applied to every draw: {@code [chain][draw]}. */
  static double[][] map(NutsResult r, ToDoubleFunction<double[]> f) {
    double[][][] d = r.draws();
    double[][] out = new double[d.length][];
    for (int c = 0; c < d.length; c++) {
      out[c] = new double[d[c].length];
      for (int i = 0; i < d[c].length; i++) {
        out[c][i] = f.applyAsDouble(d[c][i]);
      }
    }
    return out;
  }

  /** Expectations against the truth within Monte Carlo error; all failures are reported at once. */
  static final class Checks {
    private final String model;
    private final NutsResult result;
    private final List<String> failures = new ArrayList<>();
    private final StringBuilder report = new StringBuilder();

    Checks(String model, NutsResult result) {
      this.model = model;
      this.result = result;
    }

    /**
     * @param referenceError the truth's own uncertainty (rounding, quadrature)
     * @param maxStandardError the largest Monte Carlo standard error that keeps the check decisive
     */
    Checks expect(String what, ToDoubleFunction<double[]> f, double truth, double referenceError,
        double maxStandardError) {
      double[][] values = map(result, f);
      double sum = 0;
      long n = 0;
      for (double[] chain : values) {
        for (double v : chain) {
          sum += v;
          n++;
        }
      }
      double estimate = sum / n;
      double se = Convergence.mcseMean(values);
      double allowed = Z * se + referenceError;
      String line = String.format(Locale.ROOT, "%s %s: %.4f, truth %.4f, se %.4f (ess %.0f)%n", model, what, estimate,
          truth, se, Convergence.essBulk(values));
      report.append(line);
      if (!(Math.abs(estimate - truth) <= allowed)) {
        failures.add("off by more than " + Z + " se: " + line);
      }
      if (!(se <= maxStandardError)) {
        failures.add("not decisive (se > " + maxStandardError + "): " + line);
      }
      return this;
    }

    /** P(f(z) <= x) = p. */
    Checks probability(String what, ToDoubleFunction<double[]> f, double x, double p, double referenceError,
        double maxStandardError) {
      return expect("P(" + what + " <= " + x + ")", z -> f.applyAsDouble(z) <= x ? 1 : 0, p, referenceError,
          maxStandardError);
    }

    void verify() {
      System.out.print(report);
      assertTrue(failures.isEmpty(), String.join("", failures) + "all checks:\n" + report);
    }
  }

  /** pot1, chains started in each lobe as the notebook does: moments and quantiles of what each lobe shares. */
  @Test
  void pot1AgreesWithTheReference() throws Exception {
    JsonNode ref = reference("pot1");
    NutsResult r = Nuts.sample(example("pot1"), settings(4, 1000, 5000, 1)
        .withStarts(new double[] {-2, 0}, new double[] {2, 0}, new double[] {-2, 0}, new double[] {2, 0}));
    Checks checks = new Checks("pot1", r);
    double varZ0 = ref.path("var").get(0).doubleValue();
    double varZ1 = ref.path("var").get(1).doubleValue();
    checks.expect("E[z0^2]", z -> z[0] * z[0], varZ0, 0.01, 0.05)
        .expect("E[z1^2]", z -> z[1] * z[1], varZ1, 0.01, 0.05)
        .expect("E[z1]", z -> z[1], 0, 0.002, 0.05);
    JsonNode q0 = ref.path("quantiles_z0");
    // |z0|'s median and 90 % quantile from the symmetric z0 quantiles (the grid's asymmetry is 0.004)
    double absMedian = (q0.path("0.75").doubleValue() - q0.path("0.25").doubleValue()) / 2;
    double abs90 = (q0.path("0.95").doubleValue() - q0.path("0.05").doubleValue()) / 2;
    checks.probability("|z0|", z -> Math.abs(z[0]), absMedian, 0.5, 0.005, 0.02)
        .probability("|z0|", z -> Math.abs(z[0]), abs90, 0.9, 0.005, 0.02);
    quantileChecks(checks, ref.path("quantiles_z1"), "z1", z -> z[1], 0.02);
    checks.verify();
    assertTrue(r.divergences() <= 20, "divergences: " + r.divergences());
  }

  /**
   * pot2..pot4 with the notebook's W5 settings (target_accept 0.9) and jittered starts, in four
   * long chains: enough z[0] excursions for its Laplace tails, and for pot4 enough returns
   * through z[0] &lt; 1 to share the draws between its two ridges. z[0] mixes slowly (bulk ESS
   * ~100 in 80000 draws, as in Stan), so its checks are looser; so are pot4's z[1] checks, since
   * which of the two ridges a chain is on changes only on such returns (the ridges themselves are
   * checked sharply by {@link #pot4WithinEachRidgeTheResidualIsNormal}). Its heavy tails make
   * E[z0^2] too noisy to decide anything (Stan gets 35-128 for 197); |z0| is checked through its
   * median and 90 % quantile instead.
   *
   * @param probabilitySe the largest standard error allowed for P(z1 &lt;= q)
   * @param meanSe the same for E[z1]
   * @param squareSe the same for E[z1^2]
   */
  @ParameterizedTest
  @CsvSource({"pot2, 0.01, 0.03, 0.03", "pot3, 0.015, 0.04, 0.04", "pot4, 0.08, 0.3, 0.8"})
  void laplaceTailedPotentialsAgreeWithTheReference(String name, double probabilitySe, double meanSe,
      double squareSe) throws Exception {
    JsonNode ref = reference(name);
    NutsResult r = Nuts.sample(example(name), settings(4, 1000, 20_000, 2).withTargetAccept(0.9));
    Checks checks = new Checks(name, r);
    double meanZ1 = ref.path("mean").get(1).doubleValue();
    double varZ1 = ref.path("var").get(1).doubleValue();
    JsonNode q0 = ref.path("quantiles_z0");
    double absMedian = (q0.path("0.75").doubleValue() - q0.path("0.25").doubleValue()) / 2;
    double abs90 = (q0.path("0.95").doubleValue() - q0.path("0.05").doubleValue()) / 2;
    checks.probability("|z0|", z -> Math.abs(z[0]), absMedian, 0.5, 0.005, 0.06)
        .probability("|z0|", z -> Math.abs(z[0]), abs90, 0.9, 0.005, 0.06)
        .expect("E[z1]", z -> z[1], meanZ1, 0.002, meanSe)
        .expect("E[z1^2]", z -> z[1] * z[1], varZ1 + meanZ1 * meanZ1, 0.005, squareSe);
    quantileChecks(checks, ref.path("quantiles_z1"), "z1", z -> z[1], probabilitySe);
    checks.verify();
  }

  /**
   * pot2's z[1] given z[0] is N(sin(pi z[0] / 2), 0.4^2) wherever z[0] is: a sharp check of the
   * local dynamics that does not depend on how far the chains travel along z[0].
   */
  @Test
  void pot2ConditionalResidualIsStandardNormal() throws Exception {
    NutsResult r = Nuts.sample(example("pot2"), settings(2, 1000, 5000, 3));
    ToDoubleFunction<double[]> residual = z -> (z[1] - Math.sin(Math.PI * z[0] / 2)) / 0.4;
    new Checks("pot2", r)
        .expect("E[r]", residual, 0, 0, 0.03)
        .expect("E[r^2]", z -> Math.pow(residual.applyAsDouble(z), 2), 1, 0, 0.03)
        .probability("r", residual, -NORMAL_95, 0.05, 0, 0.01)
        .probability("r", residual, NORMAL_95, 0.95, 0, 0.01)
        .verify();
  }

  /**
   * Given z[0], pot4's z[1] is a mixture of N(w1, 0.4^2) (upper ridge) and N(w1 - w3, 0.35^2)
   * (lower ridge). For z[0] &gt; 3 the ridges are 3 apart, so the draw's residual from its own
   * ridge, scaled by that ridge's width, is N(0, 1) (truncated beyond 3.7 sd): for any z[0]
   * distribution and any share between the ridges, E[1{z0 &gt; 3} g(r)] = 0 for g(r) = r,
   * r^2 - 1 and 1{r &lt;= -1.645} - 0.05. A sharp check of the sampler inside each ridge.
   */
  @Test
  void pot4WithinEachRidgeTheResidualIsNormal() throws Exception {
    NutsResult r = Nuts.sample(example("pot4"), settings(2, 1000, 10_000, 6).withTargetAccept(0.9));
    ToDoubleFunction<double[]> residual = z -> {
      double w1 = Math.sin(Math.PI * z[0] / 2);
      double w3 = 3 / (1 + Math.exp(-(z[0] - 1) / 0.3));
      return z[1] > w1 - w3 / 2 ? (z[1] - w1) / 0.4 : (z[1] - w1 + w3) / 0.35;
    };
    new Checks("pot4", r)
        .expect("E[1{z0>3} r]", z -> z[0] > 3 ? residual.applyAsDouble(z) : 0, 0, 0, 0.03)
        .expect("E[1{z0>3} (r^2 - 1)]", z -> z[0] > 3 ? Math.pow(residual.applyAsDouble(z), 2) - 1 : 0, 0, 0.001, 0.03)
        .expect("E[1{z0>3} (1{r <= -1.645} - 0.05)]",
            z -> z[0] > 3 ? (residual.applyAsDouble(z) <= -NORMAL_95 ? 0.95 : -0.05) : 0, 0, 0, 0.01)
        .verify();
    long beyond = java.util.Arrays.stream(r.draws()).flatMap(java.util.Arrays::stream).filter(z -> z[0] > 3).count();
    assertTrue(beyond > 1000, "only " + beyond + " draws with z0 > 3");
  }

  /** P(z1 <= reference quantile q_p) = p for the reference's five quantiles. */
  private static void quantileChecks(Checks checks, JsonNode quantiles, String name, ToDoubleFunction<double[]> f,
      double maxStandardError) {
    for (String p : List.of("0.05", "0.25", "0.5", "0.75", "0.95")) {
      // the reference quantiles are rounded to 1e-4 on a grid of step 0.004: ~0.003 in probability
      checks.probability(name, f, quantiles.path(p).doubleValue(), Double.parseDouble(p), 0.003, maxStandardError);
    }
  }

  /** The 100-d standard normal: PyMC3's defaults give good means and variances and R-hat below 1.01. */
  @Test
  void normal100MeansVariancesAndRHat() throws Exception {
    NutsResult r = Nuts.sample(example("normal100"), settings(4, 1000, 1000, 4));
    double worstRHat = 0;
    List<ParameterSummary> summaries = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int k = 0; k < 100; k++) {
      int e = k;
      ParameterSummary s = Convergence.summarize("z[" + k + "]", r.element(k));
      summaries.add(s);
      worstRHat = Math.max(worstRHat, s.rHat());
      double[][] squares = map(r, z -> z[e] * z[e]);
      double meanSquare = 0;
      for (double[] c : squares) {
        for (double v : c) {
          meanSquare += v / (4 * 1000);
        }
      }
      // 100 coordinates: 4.5 se keeps the chance of a false alarm below 1e-3
      if (Math.abs(s.mean()) > 4.5 * s.mcseMean()) {
        failures.add(s.name() + " mean " + s.mean() + " se " + s.mcseMean());
      }
      double varianceSe = Convergence.mcseMean(squares);
      if (Math.abs(meanSquare - 1) > 4.5 * varianceSe || varianceSe > 0.05) {
        failures.add(s.name() + " E[z^2] " + meanSquare + " se " + varianceSe);
      }
    }
    assertTrue(failures.isEmpty(), failures.toString());
    assertTrue(worstRHat < 1.01, "largest R-hat " + worstRHat);
    assertEquals(List.of(), Convergence.warnings(summaries, 4));
    for (ChainStats c : r.chainStats()) {
      assertEquals(List.of(), SamplerReport.chainWarnings(c, 0.8));
      assertEquals(0, c.divergences());
    }
  }

  /**
   * Neal's funnel: the neck is too narrow for the adapted step, so trajectories there diverge,
   * PyMC3's warning says so, and the divergent draws sit low in v (where the neck is).
   */
  @Test
  void theFunnelReportsDivergences() throws Exception {
    NutsResult r = Nuts.sample(example("funnel"), settings(2, 1000, 1000, 5));
    assertTrue(r.divergences() > 10, "divergences: " + r.divergences());
    double divergentV = 0;
    double allV = 0;
    int divergent = 0;
    for (int c = 0; c < 2; c++) {
      ChainStats s = r.chainStats().get(c);
      List<String> warnings = SamplerReport.chainWarnings(s, 0.8);
      if (s.divergences() > 1) {
        assertTrue(warnings.contains("There were " + s.divergences()
            + " divergences after tuning. Increase `target_accept` or reparameterize."), warnings.toString());
      }
      for (int i = 0; i < 1000; i++) {
        double v = r.draws()[c][i][0];
        allV += v / 2000;
        if (s.diverging()[i]) {
          divergentV += v;
          divergent++;
        }
      }
    }
    divergentV /= divergent;
    assertTrue(divergentV < allV - 0.5, "mean v of divergent draws " + divergentV + ", of all " + allV);
  }
}
