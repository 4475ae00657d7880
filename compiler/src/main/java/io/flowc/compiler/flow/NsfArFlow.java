package io.flowc.compiler.flow;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Node;
import io.flowc.runtime.flow.FlowSpec;

/**
 * {@code nsf_ar}, rational-quadratic spline autoregressive flow (docs/spec/neural_flows.md section 5):
 * the 3K - 1 raw spline parameters of x_i come from MADE(x), depending on the x_j before x_i in
 * the flow's order; one pass from x to y, as IAF.
 */
final class NsfArFlow {
  private NsfArFlow() {}

  static FlowLowering.Result apply(Graph g, Node z, FlowParameters p, FlowSpec spec, int dimension) {
    Node out = Conditioner.apply(g, p, spec.options(), z);
    Node[] y = new Node[dimension];
    Node logDet = null;
    for (int i = 0; i < dimension; i++) {
      RationalQuadraticSpline.Value v = RationalQuadraticSpline.apply(g, g.index(z, i), out, i, spec.options());
      y[i] = v.y();
      logDet = logDet == null ? v.logDet() : g.add(logDet, v.logDet());
    }
    return new FlowLowering.Result(g.concat(y), logDet);
  }
}
