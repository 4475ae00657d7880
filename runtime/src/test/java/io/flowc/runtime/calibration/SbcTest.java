package io.flowc.runtime.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.DataSetInput;
import io.flowc.runtime.many.ManyFits;
import io.flowc.runtime.many.SetOutcome;
import io.flowc.runtime.many.SetResult;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The calibration run over a model whose posterior is known (theta ~ normal(0, 1), y[5] ~
 * normal(theta, 1)), fitted by exact samplers, a chain and broken samplers written here.
 */
class SbcTest {
  private static final List<String> ELEMENTS = List.of("theta", "s");
  private static final double POSTERIOR_SD = 1 / Math.sqrt(6);

  /** theta from its prior, y from the likelihood; s = 1 is a second, constant element. */
  private static Sbc.Simulated simulate(int k) {
    SplittableRandom random = new SplittableRandom(ManyFits.seedOf(7, "sim:" + k));
    double theta = random.nextGaussian();
    double[] y = new double[5];
    for (int i = 0; i < y.length; i++) {
      y[i] = theta + random.nextGaussian();
    }
    return new Sbc.Simulated(Map.of("theta", new DataSet.Value(new int[0], new double[] {theta}), "s",
        new DataSet.Value(new int[0], new double[] {1})), new DataSet("sim " + k,
        Map.of("y", new DataSet.Value(new int[] {5}, y))));
  }

  private static double posteriorMean(DataSet data) {
    double sum = 0;
    for (double v : data.get("y").elements()) {
      sum += v;
    }
    return sum / 6;
  }

  /**
   * Independent posterior draws, or (rho > 0) an AR(1) chain with that autocorrelation and the
   * posterior as its stationary law, reported with the chain's ESS; shifted by {@code shift} sds.
   */
  private static Function<DataSetInput, SetOutcome> sampler(int n, double rho, double shift) {
    return set -> {
      SplittableRandom random = new SplittableRandom(ManyFits.seedOf(7, set.id()));
      double mean = posteriorMean(set.data()) + shift * POSTERIOR_SD;
      double[] theta = new double[n];
      double z = random.nextGaussian();
      for (int i = 0; i < n; i++) {
        z = rho * z + Math.sqrt(1 - rho * rho) * random.nextGaussian();
        theta[i] = mean + POSTERIOR_SD * z;
      }
      double[] s = new double[n];
      java.util.Arrays.fill(s, 1);
      double ess = rho == 0 ? Double.NaN : n * (1 - rho) / (1 + rho);
      SetResult result = new SetResult(set.id(), SetResult.OK, "", 0, 0, List.of(), Double.NaN, Double.NaN, ess,
          Double.NaN, 0);
      return new SetOutcome(result, ELEMENTS, new double[][] {theta, s}, new double[] {ess, Double.NaN});
    };
  }

  private static Sbc.Report run(int threads, boolean chain, Function<DataSetInput, SetOutcome> fit) throws Exception {
    return Sbc.run(new Sbc.Settings(400, 99, threads, 7, chain), ELEMENTS, SbcTest::simulate, fit);
  }

  @Test
  void exactDrawsAreCalibratedAndTheRanksDoNotDependOnThreads() throws Exception {
    Sbc.Report one = run(1, false, sampler(99, 0, 0));
    Sbc.Report three = run(3, false, sampler(99, 0, 0));
    assertEquals(400, one.succeeded());
    Calibration theta = one.elements().get(0);
    assertTrue(theta.pValue() > 0.01, "p = " + theta.pValue());
    assertEquals(Shape.UNIFORM, theta.shape());
    assertArrayEquals(theta.ranks(), three.elements().get(0).ranks());
    // a constant element ties with every draw: ties broken at random keep its ranks uniform
    assertTrue(one.elements().get(1).pValue() > 0.01, "p = " + one.elements().get(1).pValue());
  }

  @Test
  void aChainThinnedByItsEssIsCalibrated() throws Exception {
    // rho 0.9: ESS = 1000 * 0.1 / 1.9 = 52.6, so about 52 draws kept of 1000 and ranks carried to 0 .. 99
    Sbc.Report thinned = run(2, true, sampler(1000, 0.9, 0));
    assertEquals(400, thinned.shortSimulations());
    assertTrue(thinned.elements().get(0).pValue() > 0.01, "p = " + thinned.elements().get(0).pValue());
  }

  @Test
  void anAutocorrelatedChainTakenWithoutThinningIsNot() throws Exception {
    // the same chains' first 99 draws, used as if independent: a few effective draws, ranks piled at the ends
    Sbc.Report raw = run(2, false, sampler(1000, 0.9, 0));
    Calibration theta = raw.elements().get(0);
    assertTrue(theta.pValue() < 0.001, "p = " + theta.pValue());
    assertEquals(Shape.OVER_CONFIDENT, theta.shape());
  }

  @Test
  void drawsShiftedByHalfAPosteriorSdAreDetected() throws Exception {
    Calibration theta = run(2, false, sampler(99, 0, 0.5)).elements().get(0);
    assertTrue(theta.pValue() < 0.001, "p = " + theta.pValue());
    assertTrue(!theta.ecdf().inside());
    assertEquals(Shape.BIASED_HIGH, theta.shape());
  }

  @Test
  void failuresAreCountedByStatusAndLeftOut() throws Exception {
    Function<DataSetInput, SetOutcome> exact = sampler(99, 0, 0);
    Function<DataSetInput, SetOutcome> failing = set -> Integer.parseInt(set.id()) % 10 == 3
        ? new SetOutcome(new SetResult(set.id(), SetResult.NOT_FINITE, "loss is NaN", 0, 0, List.of(), Double.NaN,
            Double.NaN, Double.NaN, Double.NaN, 0), List.of(), new double[0][], new double[0])
        : exact.apply(set);
    Sbc.Simulations sometimes = k -> {
      if (k % 50 == 7) {
        throw new IllegalArgumentException("y[2] is infinite");
      }
      return simulate(k);
    };
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger lastFailed = new java.util.concurrent.atomic.AtomicInteger();
    Sbc.Report r = Sbc.run(new Sbc.Settings(400, 99, 2, 7, false), ELEMENTS, sometimes, failing, (done, failed) -> {
      calls.incrementAndGet();
      if (done == 400) {
        lastFailed.set(failed);
      }
    });
    assertEquals(400, calls.get());
    assertEquals(48, lastFailed.get());
    assertEquals(Map.of(SetResult.NOT_FINITE, 40, Sbc.SIMULATION_FAILED, 8), r.failureCounts());
    assertEquals(352, r.succeeded());
    assertEquals(48, r.failed());
    assertEquals(352, r.elements().get(0).ranks().length);
    assertEquals(new Sbc.Failure("3", SetResult.NOT_FINITE, "loss is NaN"), r.failures().get(0));
    assertEquals(new Sbc.Failure("7", Sbc.SIMULATION_FAILED, "y[2] is infinite"), r.failures().get(1));
  }
}
