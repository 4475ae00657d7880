package io.flowc.compiler.flow;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Node;
import io.flowc.runtime.flow.FlowSpec;

/**
 * {@code iaf}, affine autoregressive flow in the sampling direction (docs/spec/neural_flows.md section
 * 4): (mu_i, a_i) = MADE(x)_i, depending on the x_j before x_i in the flow's order (the masks of
 * the layout's MADE weights), y = x exp(a') + mu, log|det| = sum(a'): one pass from x to y.
 */
final class IafFlow {
  private IafFlow() {}

  static FlowLowering.Result apply(Graph g, Node z, FlowParameters p, FlowSpec spec, int dimension) {
    Node out = Conditioner.apply(g, p, spec.options(), z);
    Node mu = g.slice(out, 0, dimension);
    Node scale = Coordinates.softClip(g, g.slice(out, dimension, dimension));
    return new FlowLowering.Result(g.add(g.mul(z, g.exp(scale)), mu), g.sum(scale));
  }
}
