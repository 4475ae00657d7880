package io.flowc.compiler.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * Symbolic reverse mode: the gradient of a scalar node with respect to input nodes, as new nodes
 * of the same graph that share the value's nodes. It sweeps the value's nodes in reverse
 * topological order, applies each op's {@link Op#vjp rule} to the adjoint of its output and adds
 * the results into its arguments' adjoints. Zero adjoints are absent (not zero nodes), and nodes
 * that do not depend on an input get none, so constant subgraphs cost nothing.
 *
 * <p>The adjoint of a conditional's untaken branch is exactly zero, even where the branch's own
 * derivative is not finite: {@link Guards} masks what flows out of a branch with its condition.
 */
public final class Differentiator {
  private Differentiator() {}

  /** d output / d input for each input (same shape as the input; zeros if it does not matter). */
  public static List<Node> gradient(Graph graph, Node output, List<Node> inputs) {
    if (!output.shape().isScalar()) {
      throw new IllegalArgumentException("gradient of a non-scalar " + output);
    }
    List<Node> order = Graphs.reachable(graph, List.of(output));
    Guards guards = new Guards(graph, order, output, inputs);
    Adjoints adjoint = new Adjoints(graph);
    adjoint.set(output, graph.constant(1));
    for (int k = order.size() - 1; k >= 0; k--) {
      Node node = order.get(k);
      Node g = adjoint.get(node);
      if (g == null || !node.dependsOnInputs() || node.op().kind == Op.Kind.LEAF) {
        continue;
      }
      Node[] contributions = node.op().vjp(graph, node, guards.adjointForRule(node, g));
      for (int i = 0; i < node.arity(); i++) {
        Node arg = node.arg(i);
        Node c = contributions[i];
        if (c != null && arg.dependsOnInputs()) {
          adjoint.add(arg, guards.contribution(node, i, c));
        }
      }
    }
    List<Node> out = new ArrayList<>();
    for (Node in : inputs) {
      Node g = adjoint.get(in);
      out.add(g != null ? g : graph.zerosLike(in));
    }
    return out;
  }
}
