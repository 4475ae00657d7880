package io.flowc.compiler.flow;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.runtime.flow.FlowOption.Activation;
import io.flowc.runtime.flow.FlowOptions;

/**
 * The conditioner network of docs/spec/neural_flows.md section 1: {@code layers} hidden layers
 * {@code h = a(W h_prev + c)} ({@code net.L.weight}, {@code net.L.bias}), then a linear output
 * {@code W_out h + c_out} ({@code out.weight}, {@code out.bias}). A MADE is the same network with
 * masked weights: the layout leaves masked-out weights out and {@link FlowParameters} places the
 * others, so the masks cost nothing here. A layer whose weights are all masked out (MADE's first
 * layer on d = 1) is its bias alone.
 */
final class Conditioner {
  private Conditioner() {}

  static Node apply(Graph g, FlowParameters p, FlowOptions options, Node input) {
    Node h = input;
    for (int layer = 0; layer < options.layers(); layer++) {
      h = activation(g, options.activation(), affine(g, p, "net." + layer, h));
    }
    return affine(g, p, "out", h);
  }

  private static Node affine(Graph g, FlowParameters p, String layer, Node h) {
    Node bias = p.get(layer + ".bias");
    return p.has(layer + ".weight") ? g.add(g.matvec(p.get(layer + ".weight"), h), bias) : bias;
  }

  /**
   * relu (derivative 0 at 0), tanh, or elu written as relu(x) + exp(min(x, 0)) - 1, which never
   * evaluates exp of a large x and whose derivative at 0 is 1 (min's tie follows x).
   */
  static Node activation(Graph g, Activation a, Node x) {
    return switch (a) {
      case RELU -> g.relu(x);
      case TANH -> g.apply(Op.TANH, x);
      case ELU -> g.sub(g.add(g.relu(x), g.exp(g.apply(Op.MIN, x, g.constant(0)))), g.constant(1));
    };
  }
}
