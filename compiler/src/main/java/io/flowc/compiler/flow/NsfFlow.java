package io.flowc.compiler.flow;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Node;
import io.flowc.runtime.flow.Conditioners;
import io.flowc.runtime.flow.FlowSpec;

/**
 * {@code nsf}, rational-quadratic spline coupling (docs/spec/neural_flows.md section 5): the 3K - 1
 * raw spline parameters of each coordinate of x_B come from MLP(x_A); y_A = x_A.
 */
final class NsfFlow {
  private NsfFlow() {}

  static FlowLowering.Result apply(Graph g, Node z, FlowParameters p, FlowSpec spec, int k, int dimension) {
    int[] a = Conditioners.conditioning(dimension, k);
    int[] b = Conditioners.transformed(dimension, k);
    Node xA = Coordinates.part(g, z, a);
    Node out = Conditioner.apply(g, p, spec.options(), xA);
    Node[] y = new Node[b.length];
    Node logDet = null;
    for (int i = 0; i < b.length; i++) {
      RationalQuadraticSpline.Value v = RationalQuadraticSpline.apply(g, g.index(z, b[i]), out, i, spec.options());
      y[i] = v.y();
      logDet = logDet == null ? v.logDet() : g.add(logDet, v.logDet());
    }
    return new FlowLowering.Result(Coordinates.join(g, xA, g.concat(y), k), logDet);
  }
}
