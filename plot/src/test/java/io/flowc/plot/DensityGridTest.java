package io.flowc.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flowc.runtime.LogDensity;
import org.junit.jupiter.api.Test;

class DensityGridTest {
  @Test
  void valuesAreRelativeToTheLargestAndIndexedByColumnThenRow() {
    // log p = -(x - 1)^2 - 2 y^2 + 7: the constant must not matter
    DensityGrid g = DensityGrid.of(DensityGridTest::logp, new Box(-2, 2, -1, 3), 40);
    double max = 0;
    for (int j = 0; j < g.ny(); j++) {
      for (int i = 0; i < g.nx(); i++) {
        max = Math.max(max, g.at(i, j));
      }
    }
    assertEquals(1, max, 1e-12);
    // ratios of grid values are ratios of densities at the cell centres
    double ratio = Math.exp(logp(g.x(7), g.y(13)) - logp(g.x(30), g.y(10)));
    assertEquals(ratio, g.at(7, 13) / g.at(30, 10), 1e-9);
    assertEquals(-2 + 0.05, g.x(0), 1e-12);
    assertEquals(3 - 0.05, g.y(39), 1e-12);
  }

  private static double logp(double x, double y) {
    return -(x - 1) * (x - 1) - 2 * y * y + 7;
  }

  @Test
  void nonFiniteLogDensitiesCountAsZeroAndAllNonFiniteIsAnError() {
    DensityGrid g = DensityGrid.of((x, y) -> x < 0 ? Double.NaN : -x, Box.NOTEBOOK, 10);
    assertEquals(0, g.at(0, 0));
    assertEquals(1, g.at(5, 3), 1e-12);
    assertThrows(IllegalArgumentException.class,
        () -> DensityGrid.of((x, y) -> Double.NEGATIVE_INFINITY, Box.NOTEBOOK, 10));
  }

  @Test
  void aCompiledModelMustBeTwoDimensional() {
    LogDensity threeD = new LogDensity() {
      @Override
      public int dimension() {
        return 3;
      }

      @Override
      public int workspaceSize() {
        return 0;
      }

      @Override
      public double logDensity(double[] z, double[] workspace) {
        return 0;
      }

      @Override
      public double logDensityGradient(double[] z, double[] gradient, double[] workspace) {
        return 0;
      }
    };
    assertThrows(IllegalArgumentException.class, () -> DensityGrid.of(threeD, Box.NOTEBOOK, 10));
  }
}
