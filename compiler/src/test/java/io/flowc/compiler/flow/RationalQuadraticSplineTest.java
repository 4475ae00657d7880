package io.flowc.compiler.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Shape;
import io.flowc.runtime.flow.Conditioners;
import io.flowc.runtime.flow.FlowOptions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rational-quadratic spline of docs/spec/neural_flows.md section 5 on its own, at random raw
 * parameters: monotone, continuous with a continuous derivative at every knot, the identity
 * outside [-B, B], exact at the knots and at +-B, and the identity at its start.
 */
class RationalQuadraticSplineTest {
  private static final int BINS = 5;
  private static final double BOUND = 2.5;

  /** Inputs: the 3K - 1 raw values, then x; outputs y, log dy/dx and the x- and y-knots. */
  private static IrFunction spline() {
    Graph g = new Graph(true);
    Node raw = g.input("raw", 0, Shape.vector(3 * BINS - 1));
    Node x = g.input("x", 1, Shape.SCALAR);
    RationalQuadraticSpline.Value v = RationalQuadraticSpline.apply(g, x, raw, 0,
        FlowOptions.DEFAULTS.withBins(BINS).withBound(BOUND));
    return new IrFunction(g, List.of(raw, x), List.of(new IrFunction.Output("y", v.y()),
        new IrFunction.Output("logdet", v.logDet()),
        new IrFunction.Output("xknots", RationalQuadraticSpline.knots(g, g.slice(raw, 0, BINS), BINS, BOUND)),
        new IrFunction.Output("yknots", RationalQuadraticSpline.knots(g, g.slice(raw, BINS, BINS), BINS, BOUND))));
  }

  private static Map<String, double[]> at(IrFunction f, double[] raw, double x) {
    double[] in = new double[raw.length + 1];
    System.arraycopy(raw, 0, in, 0, raw.length);
    in[raw.length] = x;
    return IrEvaluator.evaluate(f, in);
  }

  private static double[] randomRaw(Random random) {
    double[] raw = new double[3 * BINS - 1];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = 1.5 * random.nextGaussian();
    }
    return raw;
  }

  @Test
  void monotoneWithTheDerivativeItsLogDetClaims() {
    IrFunction f = spline();
    Random random = new Random(4);
    for (int trial = 0; trial < 5; trial++) {
      double[] raw = randomRaw(random);
      double[] knots = at(f, raw, 0).get("xknots");
      double previous = Double.NEGATIVE_INFINITY;
      for (double x = -3.5; x <= 3.5; x += 0.01) {
        Map<String, double[]> out = at(f, raw, x);
        double y = out.get("y")[0];
        assertTrue(y > previous, "not increasing at " + x);
        previous = y;
        double h = 1e-6;
        double point = x;
        if (java.util.Arrays.stream(knots).anyMatch(k -> Math.abs(k - point) < 1e-4)) {
          continue; // the second derivative jumps at a knot: checked there by the test below
        }
        double numeric = (at(f, raw, x + h).get("y")[0] - at(f, raw, x - h).get("y")[0]) / (2 * h);
        assertEquals(Math.log(numeric), out.get("logdet")[0], 1e-6, "log dy/dx at " + x);
      }
    }
  }

  @Test
  void theIdentityOutsideTheInterval() {
    IrFunction f = spline();
    double[] raw = randomRaw(new Random(5));
    for (double x : new double[] {-1e6, -7, -2.5000001, 2.5000001, 3, 40}) {
      assertEquals(x, at(f, raw, x).get("y")[0], 0.0, "y at " + x);
      assertEquals(0.0, at(f, raw, x).get("logdet")[0], 0.0, "log|det| at " + x);
    }
  }

  /** At each knot: y is the y-knot, left and right limits of y and dy/dx agree (delta = 1 at +-B, as the tails). */
  @Test
  void continuousWithMatchingDerivativesAtEveryKnot() {
    IrFunction f = spline();
    Random random = new Random(6);
    for (int trial = 0; trial < 5; trial++) {
      double[] raw = randomRaw(random);
      Map<String, double[]> first = at(f, raw, 0);
      double[] xKnots = first.get("xknots");
      double[] yKnots = first.get("yknots");
      assertEquals(-BOUND, xKnots[0], 0.0);
      assertEquals(BOUND, xKnots[BINS], 0.0);
      for (int k = 0; k <= BINS; k++) {
        Map<String, double[]> exact = at(f, raw, xKnots[k]);
        assertEquals(yKnots[k], exact.get("y")[0], 1e-12, "y at knot " + k);
        assertTrue(Double.isFinite(exact.get("logdet")[0]), "log|det| at knot " + k);
        double h = 1e-11;
        Map<String, double[]> left = at(f, raw, xKnots[k] - h);
        Map<String, double[]> right = at(f, raw, xKnots[k] + h);
        assertEquals(left.get("y")[0], right.get("y")[0], 1e-8, "y continuous at knot " + k);
        assertEquals(left.get("logdet")[0], right.get("logdet")[0], 1e-6, "dy/dx continuous at knot " + k);
        assertEquals(exact.get("logdet")[0], right.get("logdet")[0], 1e-6, "dy/dx at knot " + k);
      }
    }
  }

  @Test
  void theIdentityStartIsTheIdentity() {
    IrFunction f = spline();
    double[] raw = new double[3 * BINS - 1];
    for (int i = 2 * BINS; i < raw.length; i++) {
      raw[i] = Conditioners.IDENTITY_DERIVATIVE;
    }
    for (double x = -3; x <= 3; x += 0.125) {
      assertEquals(x, at(f, raw, x).get("y")[0], 1e-12, "y at " + x);
      assertEquals(0, at(f, raw, x).get("logdet")[0], 1e-12, "log|det| at " + x);
    }
  }
}
