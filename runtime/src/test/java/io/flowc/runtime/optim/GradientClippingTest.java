package io.flowc.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** PyMC3's total_norm_constraint: g · clip(‖g‖, 0, c) / (1e-7 + ‖g‖) with the global L2 norm. */
class GradientClippingTest {

  private static void close(double expected, double actual) {
    assertEquals(expected, actual, 1e-15 * Math.abs(expected));
  }

  @Test
  void belowTheCapTheGradientShrinksOnlyByTheEpsilon() {
    // ‖(3, 4)‖ = 5 < c = 10: factor 5 / (5 + 1e-7) = 0.99999998000000039999...,
    // so out = (2.99999994000000119999..., 3.99999992000000159999...)
    double[] g = {3, 4};
    double[] out = new double[2];
    assertEquals(5.0, GradientClipping.totalNormConstraint(g, 10, out));
    close(2.9999999400000012, out[0]);
    close(3.9999999200000016, out[1]);
    close(3 * (5 / (1e-7 + 5)), out[0]);
    assertArrayEquals(new double[] {3, 4}, g);
  }

  @Test
  void aboveTheCapTheGlobalNormIsBroughtToTheCap() {
    // ‖(3, 4, 12)‖ = 13 > c = 6.5: factor 6.5 / (13 + 1e-7) = 0.49999999615384615680...,
    // so out = (1.49999998846153855..., 1.99999998461538473..., 5.99999995384615420...)
    double[] g = {3, 4, 12};
    double[] out = new double[3];
    assertEquals(13.0, GradientClipping.totalNormConstraint(g, 6.5, out));
    close(1.4999999884615386, out[0]);
    close(1.9999999846153847, out[1]);
    close(5.9999999538461542, out[2]);
    assertArrayEquals(new double[] {3, 4, 12}, g);
    double norm = Math.sqrt(out[0] * out[0] + out[1] * out[1] + out[2] * out[2]);
    assertEquals(6.5, norm, 1e-6); // the cap, short by 6.5e-8 / 13 relative
  }

  @Test
  void theNormIsGlobalNotPerElement() {
    // each element is below the cap 2, the whole vector is not: ‖(1.5, 1.5, 1.5, 1.5)‖ = 3
    double[] out = new double[4];
    GradientClipping.totalNormConstraint(new double[] {1.5, 1.5, -1.5, 1.5}, 2, out);
    double factor = 2 / (1e-7 + 3);
    close(1.5 * factor, out[0]);
    close(-1.5 * factor, out[2]);
  }

  @Test
  void inPlaceZeroAndEdgeCases() {
    double[] g = {3, 4, 12};
    GradientClipping.totalNormConstraint(g, 6.5, g);
    close(1.4999999884615386, g[0]);

    double[] zeros = new double[3];
    assertEquals(0.0, GradientClipping.totalNormConstraint(new double[3], 1, zeros));
    assertArrayEquals(new double[3], zeros);

    double[] out = new double[2];
    GradientClipping.totalNormConstraint(new double[] {3, 4}, 0, out); // c = 0: all zero
    assertArrayEquals(new double[2], out);
    GradientClipping.totalNormConstraint(new double[] {3, 4}, Double.POSITIVE_INFINITY, out);
    close(3 * (5 / (1e-7 + 5)), out[0]);

    assertThrows(IllegalArgumentException.class, () -> GradientClipping.totalNormConstraint(new double[2], 1, new double[3]));
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.totalNormConstraint(new double[2], -1, new double[2]));
    assertThrows(IllegalArgumentException.class,
        () -> GradientClipping.totalNormConstraint(new double[2], Double.NaN, new double[2]));
  }
}
