package io.flowc.runtime.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Simulation-based calibration of samplers whose posterior is known exactly: theta ~ normal(0, 1),
 * five y ~ normal(theta, 1), posterior normal(sum y / 6, 1 / sqrt 6). An exact sampler passes; a
 * shifted, a too narrow and a too wide one are caught, each with its shape.
 */
class ConjugateSbcTest {
  private static final int SIMS = 1000;
  private static final int L = 99;

  private static Calibration calibrate(double shiftInSd, double sdFactor) {
    SplittableRandom random = new SplittableRandom(2018);
    int[] ranks = new int[SIMS];
    double sd = 1 / Math.sqrt(6);
    double[] draws = new double[L];
    for (int k = 0; k < SIMS; k++) {
      double theta = random.nextGaussian();
      double sum = 0;
      for (int i = 0; i < 5; i++) {
        sum += theta + random.nextGaussian();
      }
      double mean = sum / 6;
      for (int l = 0; l < L; l++) {
        draws[l] = mean + shiftInSd * sd + sdFactor * sd * random.nextGaussian();
      }
      ranks[k] = Ranks.rank(theta, draws, random);
    }
    return Calibration.of("theta", ranks, L, EcdfBand.of(SIMS, L));
  }

  @Test
  void anExactSamplerIsCalibrated() {
    Calibration c = calibrate(0, 1);
    assertTrue(c.pValue() > 0.01, "p = " + c.pValue());
    assertTrue(c.ecdf().inside());
    assertEquals(0.5, c.meanRank(), 0.03);
    assertEquals(Shape.UNIFORM, c.shape());
  }

  @Test
  void drawsShiftedByHalfAnSdAreDetected() {
    Calibration c = calibrate(0.5, 1);
    assertTrue(c.pValue() < 0.001, "p = " + c.pValue());
    assertTrue(!c.ecdf().inside());
    assertTrue(c.meanRank() < 0.45, "mean rank " + c.meanRank());
    assertEquals(Shape.BIASED_HIGH, c.shape());
  }

  @Test
  void tooNarrowDrawsAreOverConfident() {
    Calibration c = calibrate(0, 0.6);
    assertTrue(c.pValue() < 0.001, "p = " + c.pValue());
    assertEquals(Shape.OVER_CONFIDENT, c.shape());
  }

  @Test
  void tooWideDrawsAreUnderConfident() {
    Calibration c = calibrate(0, 1.6);
    assertTrue(c.pValue() < 0.001, "p = " + c.pValue());
    assertEquals(Shape.UNDER_CONFIDENT, c.shape());
  }
}
