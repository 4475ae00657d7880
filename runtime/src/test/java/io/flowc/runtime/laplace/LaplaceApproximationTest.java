package io.flowc.runtime.laplace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.LogDensity;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The mode search and the Hessian against densities with known answers: Gaussians (the
 * approximation is exact), a skewed density with its mode in closed form, and densities without
 * a mode, each refused with its message.
 */
class LaplaceApproximationTest {

  /** A density from log p and its gradient (written into g); no workspace. */
  static LogDensity density(int d, BiFunction<double[], double[], Double> logp) {
    return new LogDensity() {
      @Override
      public int dimension() {
        return d;
      }

      @Override
      public int workspaceSize() {
        return 0;
      }

      @Override
      public double logDensity(double[] z, double[] workspace) {
        return logp.apply(z, new double[d]);
      }

      @Override
      public double logDensityGradient(double[] z, double[] gradient, double[] workspace) {
        return logp.apply(z, gradient);
      }
    };
  }

  /** N(mean, covariance) with covariance^-1 = precision. */
  static LogDensity gaussian(double[] mean, double[][] precision) {
    int d = mean.length;
    return density(d, (z, g) -> {
      double q = 0;
      for (int i = 0; i < d; i++) {
        g[i] = 0;
        for (int j = 0; j < d; j++) {
          g[i] -= precision[i][j] * (z[j] - mean[j]);
        }
        q += (z[i] - mean[i]) * -g[i];
      }
      return -0.5 * q;
    });
  }

  /** Scales as different as kidiq's raw coefficients (1e-3 to 1e2) and a correlation of -0.99. */
  static final double[][] COVARIANCE = {{81, -0.0891, 0.5, 0}, {-0.0891, 1e-4, 0, 0}, {0.5, 0, 4, 0.1},
      {0, 0, 0.1, 0.01}};
  static final double[] MEAN = {26, -0.6, 51, 2.9};

  @Test
  void aGaussiansApproximationIsItself() {
    double[][] precision = Cholesky.inverse(Cholesky.factor(COVARIANCE));
    LaplaceApproximation a = LaplaceApproximation.of(gaussian(MEAN, precision));
    assertArrayEquals(MEAN, a.mode(), 1e-8);
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        double scale = Math.sqrt(COVARIANCE[i][i] * COVARIANCE[j][j]);
        assertEquals(COVARIANCE[i][j], a.covariance()[i][j], 1e-6 * scale, "Sigma[" + i + "][" + j + "]");
      }
    }
    assertEquals(a.covariance()[0][1], a.covariance()[1][0], 0.0, "symmetric");
    assertEquals(0.0, a.logDensity(), 1e-12);
  }

  /** log p = 3 z - e^z (a log-gamma density): mode log 3, -d2 log p = 3 there. */
  @Test
  void aSkewedDensitysModeAndCurvature() {
    LaplaceApproximation a = LaplaceApproximation.of(density(1, (z, g) -> {
      g[0] = 3 - Math.exp(z[0]);
      return 3 * z[0] - Math.exp(z[0]);
    }));
    assertEquals(Math.log(3), a.mode()[0], 1e-10);
    assertEquals(1.0 / 3, a.covariance()[0][0], 1e-8);
  }

  @Test
  void aFlatDirectionIsRefused() {
    LaplaceException e = assertThrows(LaplaceException.class, () -> LaplaceApproximation.of(density(2, (z, g) -> {
      g[0] = -z[0];
      g[1] = 0;
      return -0.5 * z[0] * z[0];
    })));
    assertTrue(e.getMessage().contains("not positive definite"), e.getMessage());
  }

  @Test
  void aDensityRisingWithoutBoundHasNoMode() {
    LaplaceException e = assertThrows(LaplaceException.class, () -> LaplaceApproximation.of(density(1, (z, g) -> {
      g[0] = Math.exp(-z[0]);
      return -Math.exp(-z[0]);
    })));
    assertTrue(e.getMessage().startsWith("no mode found"), e.getMessage());
  }

  @Test
  void aStartOutsideTheSupportIsNamed() {
    LaplaceException e = assertThrows(LaplaceException.class, () -> LaplaceApproximation.of(density(1, (z, g) -> {
      g[0] = 1 / z[0];
      return Math.log(z[0]);
    })));
    assertTrue(e.getMessage().startsWith("no mode found: log p or its gradient is not finite at z = 0"),
        e.getMessage());
  }
}
