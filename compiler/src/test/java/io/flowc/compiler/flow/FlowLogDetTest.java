package io.flowc.compiler.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Graphs;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.compiler.ir.Shape;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each flow's log|det J| against the log|det| of a finite-difference Jacobian (LU), PyMC3's own
 * oracle (d = 20, jitter 0.1, input 0..19), chains, and the invertibility constraints.
 */
class FlowLogDetTest {

  /** A flow stack alone as IR: inputs theta slots then eps; outputs z and logdet. */
  static IrFunction stack(FlowLayout layout) {
    Graph g = new Graph(true);
    Map<FlowLayout.Slot, Node> parameters = ElboLowering.parameterInputs(g, layout);
    List<Node> inputs = new ArrayList<>(parameters.values());
    Node eps = g.input("eps", layout.slots().size(), Shape.vector(layout.dimension()));
    inputs.add(eps);
    FlowLowering.Result r = FlowLowering.apply(g, layout, parameters, eps);
    return new IrFunction(g, inputs, List.of(new IrFunction.Output("z", r.z()), new IrFunction.Output("logdet", r.logDet())));
  }

  static double[] concat(double[] theta, double[] z) {
    double[] out = new double[theta.length + z.length];
    System.arraycopy(theta, 0, out, 0, theta.length);
    System.arraycopy(z, 0, out, theta.length, z.length);
    return out;
  }

  /** log|det| of the central-difference Jacobian of z -> f(z), by LU with partial pivoting. */
  static double numericLogDet(IrFunction f, double[] theta, double[] z) {
    int d = z.length;
    double[][] j = new double[d][d];
    for (int c = 0; c < d; c++) {
      double h = 1e-6 * Math.max(1, Math.abs(z[c]));
      double[] plus = z.clone();
      double[] minus = z.clone();
      plus[c] += h;
      minus[c] -= h;
      double[] fp = IrEvaluator.evaluate(f, concat(theta, plus)).get("z");
      double[] fm = IrEvaluator.evaluate(f, concat(theta, minus)).get("z");
      for (int r = 0; r < d; r++) {
        j[r][c] = (fp[r] - fm[r]) / (2 * h);
      }
    }
    double logDet = 0;
    for (int k = 0; k < d; k++) {
      int pivot = k;
      for (int r = k + 1; r < d; r++) {
        if (Math.abs(j[r][k]) > Math.abs(j[pivot][k])) {
          pivot = r;
        }
      }
      double[] row = j[k];
      j[k] = j[pivot];
      j[pivot] = row;
      logDet += Math.log(Math.abs(j[k][k]));
      for (int r = k + 1; r < d; r++) {
        double factor = j[r][k] / j[k][k];
        for (int c = k; c < d; c++) {
          j[r][c] -= factor * j[k][c];
        }
      }
    }
    return logDet;
  }

  @Test
  void everyFlowsLogDetMatchesItsJacobian() {
    Random random = new Random(11);
    for (FlowKind kind : FlowKind.pyMc3Values()) {
      for (int d : new int[] {1, 2, 3, 5, 10}) {
        FlowLayout layout = FlowLayout.of(List.of(kind), d);
        IrFunction f = stack(layout);
        for (int trial = 0; trial < 5; trial++) {
          double[] theta = layout.initialParameters(1.0, random.nextLong());
          double[] z = new double[d];
          for (int i = 0; i < d; i++) {
            z[i] = 1.5 * random.nextGaussian();
          }
          double expected = numericLogDet(f, theta, z);
          double actual = IrEvaluator.evaluate(f, concat(theta, z)).get("logdet")[0];
          assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)), kind + " d=" + d + " trial " + trial);
        }
      }
    }
  }

  /** PyMC3's test_flow_det: jitter 0.1, d = 20, input 0, 1, ..., 19 (there within 1e-4 in float32). */
  @Test
  void pymc3FlowDetOracle() {
    double[] z = new double[20];
    for (int i = 0; i < 20; i++) {
      z[i] = i;
    }
    for (FlowKind kind : FlowKind.pyMc3Values()) {
      FlowLayout layout = FlowLayout.of(List.of(kind), 20);
      IrFunction f = stack(layout);
      double[] theta = layout.initialParameters(0.1, 20261129L + kind.ordinal());
      double expected = numericLogDet(f, theta, z);
      double actual = IrEvaluator.evaluate(f, concat(theta, z)).get("logdet")[0];
      assertEquals(expected, actual, 1e-6, kind.toString());
    }
  }

  /** PyMC3's test_flows_collect_chain: the log-dets of a chain add up. */
  @Test
  void chainedLogDetsAdd() {
    List<FlowKind> kinds = List.of(FlowKind.PLANAR, FlowKind.RADIAL, FlowKind.SCALE, FlowKind.HH, FlowKind.PLANAR);
    int d = 4;
    FlowLayout chain = FlowLayout.of(kinds, d);
    IrFunction f = stack(chain);
    double[] theta = chain.initialParameters(1.0, 99);
    double[] z = {0.3, -1.1, 0.8, 2.0};
    double expected = numericLogDet(f, theta, z);
    assertEquals(expected, IrEvaluator.evaluate(f, concat(theta, z)).get("logdet")[0], 1e-6 * Math.max(1, Math.abs(expected)));
    // planar 2d+1, radial d+2, scale d, hh d, planar 2d+1
    assertEquals((2 * d + 1) + (d + 2) + d + d + (2 * d + 1), chain.parameterCount());
  }

  /**
   * Consecutive planar flows take one log of their dets' product per eight of them: the same
   * log|det| as the sum of each flow's own log|det| (PyMC3's form), to rounding, for runs of 3, 8
   * and 11 between other flows, with fewer logs.
   */
  @Test
  void consecutivePlanarFlowsTakeOneLogPerEightFlows() {
    List<FlowKind> kinds = new ArrayList<>();
    kinds.addAll(java.util.Collections.nCopies(3, FlowKind.PLANAR));
    kinds.add(FlowKind.RADIAL);
    kinds.addAll(java.util.Collections.nCopies(11, FlowKind.PLANAR));
    kinds.add(FlowKind.SCALE);
    kinds.addAll(java.util.Collections.nCopies(8, FlowKind.PLANAR));
    int d = 3;
    FlowLayout layout = FlowLayout.of(kinds, d);
    IrFunction product = stack(layout);
    IrFunction eachLog = stackOfOwnLogDets(layout);
    long planarLogs = Graphs.reachable(product.graph(), List.of(product.outputs().get(1).node())).stream()
        .filter(n -> n.op() == Op.LOG && n.arg(0).op() == Op.ABS).count();
    // 3, then 8 + 3, then 8 planar flows
    assertEquals(4, planarLogs);
    Random random = new Random(5);
    for (int trial = 0; trial < 20; trial++) {
      double[] theta = layout.initialParameters(1.0, random.nextLong());
      double[] z = {1.5 * random.nextGaussian(), random.nextGaussian(), 0.5 * random.nextGaussian()};
      double expected = IrEvaluator.evaluate(eachLog, concat(theta, z)).get("logdet")[0];
      double actual = IrEvaluator.evaluate(product, concat(theta, z)).get("logdet")[0];
      assertEquals(expected, actual, 1e-12 * Math.max(1, Math.abs(expected)), "trial " + trial);
      // central differences through 24 flows: a looser bound than one flow's
      assertEquals(numericLogDet(product, theta, z), actual, 1e-4 * Math.max(1, Math.abs(expected)), "trial " + trial);
    }
  }

  /** {@link #stack} with every flow's log|det| taken on its own and added in order. */
  private static IrFunction stackOfOwnLogDets(FlowLayout layout) {
    Graph g = new Graph(true);
    Map<FlowLayout.Slot, Node> parameters = ElboLowering.parameterInputs(g, layout);
    List<Node> inputs = new ArrayList<>(parameters.values());
    Node z = g.input("eps", layout.slots().size(), Shape.vector(layout.dimension()));
    inputs.add(z);
    Node logDet = g.constant(0);
    for (int k = 0; k < layout.specs().size(); k++) {
      FlowParameters p = new FlowParameters(g, k);
      for (Map.Entry<FlowLayout.Slot, Node> e : parameters.entrySet()) {
        if (e.getKey().flow() == k) {
          p.add(e.getKey(), e.getValue());
        }
      }
      FlowLowering.Result r = FlowLowering.flow(g, layout, k, p, z);
      z = r.z();
      if (r.logDet() != null) {
        logDet = g.add(logDet, r.logDet());
      }
    }
    return new IrFunction(g, inputs, List.of(new IrFunction.Output("z", z), new IrFunction.Output("logdet", logDet)));
  }

  /** For any raw parameters: w . u-hat >= -1 (planar) and beta >= -alpha (radial). */
  @Test
  void constraintsHoldForAnyRawParameters() {
    Random random = new Random(8);
    for (int trial = 0; trial < 2000; trial++) {
      int d = 1 + random.nextInt(6);
      double scale = Math.pow(10, random.nextInt(5) - 2);
      double[] u = new double[d];
      double[] w = new double[d];
      for (int i = 0; i < d; i++) {
        u[i] = scale * random.nextGaussian();
        w[i] = scale * random.nextGaussian();
      }
      double kappa = 0;
      double normW = 1e-10;
      for (int i = 0; i < d; i++) {
        kappa += w[i] * u[i];
        normW += w[i] * w[i];
      }
      // the same formula the IR builds, evaluated through it
      FlowLayout layout = FlowLayout.of(List.of(FlowKind.PLANAR), d);
      Graph g = new Graph(true);
      Node uNode = g.input("u", 0, Shape.vector(d));
      Node wNode = g.input("w", 1, Shape.vector(d));
      Node kappaNode = g.sum(g.mul(wNode, uNode));
      Node m = g.sub(g.apply(io.flowc.compiler.ir.Op.SOFTPLUS, kappaNode), g.constant(1));
      Node nw = g.add(g.sum(g.square(wNode)), g.constant(1e-10));
      Node uHat = g.add(uNode, g.mul(g.div(g.sub(m, kappaNode), nw), wNode));
      IrFunction f = new IrFunction(g, List.of(uNode, wNode), List.of(new IrFunction.Output("wu", g.sum(g.mul(wNode, uHat)))));
      double wuHat = IrEvaluator.evaluate(f, concat(u, w)).get("wu")[0];
      assertTrue(wuHat >= -1 - 1e-9 * Math.max(1, Math.abs(kappa)), "w.u-hat = " + wuHat + " at trial " + trial);
      assertTrue(layout.parameterCount() == 2 * d + 1);

      double a = scale * random.nextGaussian();
      double b = scale * random.nextGaussian();
      double alpha = Math.exp(a);
      double beta = io.flowc.runtime.MathFunctions.softplus(b) - alpha;
      assertTrue(beta >= -alpha, "beta >= -alpha");
    }
  }
}
