package io.flowc.compiler.nuts;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowc.compiler.TestPaths;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.driver.DerivedQuantities;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.testing.PosteriorDbQuantities;
import io.flowc.runtime.Reported;
import io.flowc.runtime.diagnostics.Convergence;
import io.flowc.runtime.nuts.Nuts;
import io.flowc.runtime.nuts.NutsResult;
import io.flowc.runtime.nuts.NutsSettings;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * NUTS on real posteriors against posteriordb's reference draws (10 long Stan chains): every
 * reported quantity's mean (parameters and derived quantities) within 4 combined Monte Carlo standard errors (ours and the
 * reference's) and its sd within 10 %.
 */
class PosteriorDbTest {

  @ParameterizedTest
  @CsvSource({
      "eight_schools_noncentered, eight_schools-eight_schools_noncentered, 0.9",
      // a funnel: 32 divergences in 12,000 draws at 0.99 (88 at the reference run's 0.95)
      "eight_schools_centered, eight_schools-eight_schools_centered, 0.99",
      "kidiq_interaction, kidiq-kidscore_interaction, 0.8",
      "sblrc_blr, sblrc-blr, 0.8",
      "earnings, earnings-earn_height, 0.8",
      "low_dim_gauss_mix, low_dim_gauss_mix-low_dim_gauss_mix, 0.8",
      "logmesquite, mesquite-logmesquite, 0.8"})
  void meansAndSdsAgreeWithTheReference(String example, String posterior, double targetAccept) throws Exception {
    check(example, posterior, NutsSettings.defaults().withChains(4).withTune(1000).withDraws(2000).withSeed(11)
        .withThreads(2).withTargetAccept(targetAccept));
  }

  /**
   * kilpisjarvi's alpha and beta correlate at -1 (the years are not centered): a ridge that NUTS
   * follows with long trajectories, with the reference run's tree depth of up to 15 (about 5
   * million gradients, 3 s of CPU).
   */
  @Test
  void kilpisjarviAlongItsRidgeAgreesWithTheReference() throws Exception {
    check("kilpisjarvi", "kilpisjarvi_mod-kilpisjarvi", NutsSettings.defaults().withChains(4).withTune(1000)
        .withDraws(2000).withSeed(11).withThreads(2).withTargetAccept(0.8).withMaxTreeDepth(15));
  }

  /**
   * diamonds (26 parameters, 5000 x 24 data, b[21] and b[22] correlated at -0.89) with the
   * reference run's settings, target acceptance 0.99 and tree depth up to 20: about 55 minutes of
   * CPU (it passed on 2026-12-06 in 2 h 8 min on two cores shared with other builds), so outside the
   * default suite; run it with
   * {@code mvn -B -pl compiler -am test -Dtest=PosteriorDbTest -Dflowc.slowChecks=true
   * -Dsurefire.failIfNoSpecifiedTests=false}. A 2 x (500 + 500) run of {@code flowc sample} put every
   * mean within 0.2 reference sd.
   */
  @Test
  @EnabledIfSystemProperty(named = "flowc.slowChecks", matches = "true")
  void diamondsAgreesWithTheReference() throws Exception {
    check("diamonds", "diamonds-diamonds", NutsSettings.defaults().withChains(4).withTune(1000).withDraws(2000)
        .withSeed(11).withThreads(2).withTargetAccept(0.99).withMaxTreeDepth(20));
  }

  static void check(String example, String posterior, NutsSettings settings) throws Exception {
    JsonNode params = TestPaths.posteriorDbReference(posterior).get("params");
    CheckedModel model = TestPaths.checkExample(TestPaths.example(example));
    NutsResult result = Nuts.sample(Compilation.load(model), settings);
    Reported reported = DerivedQuantities.of(model);
    double[][][] values = result.reported(reported).draws();

    List<String> failures = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      double[][] draws = quantity(values, reported.names(), p.getKey());
      double mean = 0;
      int count = 0;
      for (double[] chain : draws) {
        for (double x : chain) {
          mean += x;
          count++;
        }
      }
      mean /= count;
      double sd = Convergence.summarize(p.getKey(), draws).sd();
      double mcse = Convergence.mcseMean(draws);
      JsonNode ref = p.getValue();
      double tolerance = 4 * Math.hypot(mcse, ref.get("posteriordb_mcse_mean").asDouble());
      if (Math.abs(mean - ref.get("mean").asDouble()) > tolerance) {
        failures.add(p.getKey() + ": mean " + mean + ", reference " + ref.get("mean").asDouble() + " +- " + tolerance);
      }
      if (Math.abs(sd / ref.get("sd").asDouble() - 1) > 0.10) {
        failures.add(p.getKey() + ": sd " + sd + ", reference " + ref.get("sd").asDouble());
      }
    }
    assertTrue(failures.isEmpty(), posterior + ": " + failures);
  }

  /** The draws of a reference quantity, by chain. */
  private static double[][] quantity(double[][][] values, List<String> elements, String name) {
    ToDoubleFunction<double[]> f = PosteriorDbQuantities.quantity(elements, name);
    double[][] out = new double[values.length][];
    for (int c = 0; c < values.length; c++) {
      out[c] = new double[values[c].length];
      for (int i = 0; i < values[c].length; i++) {
        out[c][i] = f.applyAsDouble(values[c][i]);
      }
    }
    return out;
  }
}
