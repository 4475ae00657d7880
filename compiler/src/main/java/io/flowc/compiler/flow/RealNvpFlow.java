package io.flowc.compiler.flow;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Node;
import io.flowc.runtime.flow.Conditioners;
import io.flowc.runtime.flow.FlowSpec;

/**
 * {@code realnvp}, affine coupling (docs/spec/neural_flows.md section 3): (mu, a) = MLP(x_A),
 * a' = soft-clipped a, y_A = x_A, y_B = x_B exp(a') + mu, log|det| = sum(a'). The k-th coupling
 * flow conditions on the first half of the coordinates for even k, the second for odd k.
 */
final class RealNvpFlow {
  private RealNvpFlow() {}

  static FlowLowering.Result apply(Graph g, Node z, FlowParameters p, FlowSpec spec, int k, int dimension) {
    int[] a = Conditioners.conditioning(dimension, k);
    int[] b = Conditioners.transformed(dimension, k);
    Node xA = Coordinates.part(g, z, a);
    Node xB = Coordinates.part(g, z, b);
    Node out = Conditioner.apply(g, p, spec.options(), xA);
    Node mu = g.slice(out, 0, b.length);
    Node scale = Coordinates.softClip(g, g.slice(out, b.length, b.length));
    Node yB = g.add(g.mul(xB, g.exp(scale)), mu);
    return new FlowLowering.Result(Coordinates.join(g, xA, yB, k), g.sum(scale));
  }
}
