package io.flowc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConstraintsTest {
  private static final double INF = Double.POSITIVE_INFINITY;
  private static final double[][] BOUNDS = {{0, INF}, {-2.5, INF}, {-INF, 1}, {-INF, -3}, {0, 1}, {-1, 4}, {1e-3, 2e-3}};

  @Test
  void constrainAndUnconstrainAreInverse() {
    for (double[] b : BOUNDS) {
      for (double u = -20; u <= 20; u += 0.37) {
        double x = Constraints.constrain(u, b[0], b[1]);
        assertEquals(u, Constraints.unconstrain(x, b[0], b[1]), 1e-9 * Math.max(1, Math.exp(Math.abs(u) / 2)),
            "u = " + u + " in (" + b[0] + ", " + b[1] + ")");
      }
    }
  }

  @Test
  void logJacobianIsTheLogOfTheDerivative() {
    double h = 1e-6;
    for (double[] b : BOUNDS) {
      for (double u = -6; u <= 6; u += 0.41) {
        double derivative = (Constraints.constrain(u + h, b[0], b[1]) - Constraints.constrain(u - h, b[0], b[1])) / (2 * h);
        assertEquals(Math.log(Math.abs(derivative)), Constraints.logJacobian(u, b[0], b[1]), 1e-6,
            "u = " + u + " in (" + b[0] + ", " + b[1] + ")");
      }
    }
    assertEquals(0, Constraints.logJacobian(3, -INF, INF));
  }

  @Test
  void valuesStayStrictlyInsideTheBoundsForAnyU() {
    double[] us = {-1e300, -1e4, -800, -745.2, -40, -37, 0, 37, 40, 710, 800, 1e4, 1e300};
    for (double[] b : BOUNDS) {
      for (double u : us) {
        double x = Constraints.constrain(u, b[0], b[1]);
        assertTrue(x > b[0] && x < b[1], x + " outside (" + b[0] + ", " + b[1] + ") at u = " + u);
      }
    }
  }

  @Test
  void layoutsEncodeBoundsAndStillReadTheUnboundedForm() {
    ParameterLayout layout = new ParameterLayout(List.of(new ParameterLayout.Parameter("z", 2),
        new ParameterLayout.Parameter("sigma", 0, 0, INF), new ParameterLayout.Parameter("p", 3, 0, 1),
        new ParameterLayout.Parameter("c", 0, -INF, -0.5)));
    assertEquals("z:2,sigma:0:0.0:Infinity,p:3:0.0:1.0,c:0:-Infinity:-0.5", layout.encode());
    assertEquals(layout, ParameterLayout.decode(layout.encode()));
    assertEquals(new ParameterLayout(List.of(new ParameterLayout.Parameter("z", 2))), ParameterLayout.decode("z:2"));
    assertThrows(IllegalArgumentException.class, () -> ParameterLayout.decode("p:0:1.0:0.0"));
    assertThrows(IllegalArgumentException.class, () -> ParameterLayout.decode("p:0:1.0"));
    assertTrue(layout.isConstrained());
  }

  @Test
  void layoutsConstrainEachElementWithItsParametersBounds() {
    ParameterLayout layout = ParameterLayout.decode("z:2,sigma:0:0.0:Infinity,p:2:0.0:1.0");
    double[] out = new double[5];
    layout.constrain(new double[] {-1, 2, 0, 0, Math.log(3)}, out);
    assertEquals(-1, out[0]);
    assertEquals(2, out[1]);
    assertEquals(1, out[2]);
    assertEquals(0.5, out[3]);
    assertEquals(0.75, out[4], 1e-15);
  }

  @Test
  void orderedVectorsAreRecordedAndConstrainedAsRunningSums() {
    ParameterLayout layout = new ParameterLayout(List.of(new ParameterLayout.Parameter("s", 0, 0, INF),
        new ParameterLayout.Parameter("mu", 3, -INF, INF, true)));
    assertEquals("s:0:0.0:Infinity,mu:3:ordered", layout.encode());
    assertEquals(layout, ParameterLayout.decode(layout.encode()));
    assertThrows(IllegalArgumentException.class, () -> ParameterLayout.decode("mu:0:ordered"));
    assertThrows(IllegalArgumentException.class, () -> ParameterLayout.decode("mu:2:sorted"));
    assertTrue(layout.isConstrained());
    double[] x = new double[4];
    layout.constrain(new double[] {0.0, -1.0, 0.5, -2.0}, x);
    assertEquals(1.0, x[0]);
    assertEquals(-1.0, x[1]);
    assertEquals(-1.0 + Math.exp(0.5), x[2]);
    assertEquals(-1.0 + Math.exp(0.5) + Math.exp(-2.0), x[3]);
  }

  @Test
  void computedBoundsAreRecordedAndConstrainedByTheModelsCode() {
    // param a in (0, 1); param b in (0, 1 - a);
    ParameterLayout layout = ParameterLayout.decode("a:0:0.0:1.0,b:0:0.0:NaN");
    assertEquals("a:0:0.0:1.0,b:0:0.0:NaN", layout.encode());
    assertTrue(layout.hasComputedBounds() && layout.isConstrained());
    assertTrue(layout.parameters().get(1).isBounded());
    double[] out = new double[2];
    assertThrows(IllegalStateException.class, () -> layout.constrain(new double[] {0, 0}, out));
    ParameterLayout withCode = layout.withConstrainer((z, x) -> {
      x[0] = Constraints.constrain(z[0], 0, 1);
      x[1] = Constraints.constrain(z[1], 0, 1 - x[0]);
    });
    assertEquals(layout, withCode, "the code computes what the parameters say");
    withCode.constrain(new double[] {0, 0}, out);
    assertEquals(0.5, out[0]);
    assertEquals(0.25, out[1]);
  }
}
