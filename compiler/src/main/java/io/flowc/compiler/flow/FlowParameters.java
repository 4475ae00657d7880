package io.flowc.compiler.flow;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Shape;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.flow.SlotShape;
import java.util.HashMap;
import java.util.Map;

/**
 * One flow's parameters as graph values, by name: the input nodes of its layout slots, with
 * masked matrices (MADE's weights, Sylvester's triangles) placed into dense ones whose masked-out
 * elements are exactly 0 (docs/spec/neural_flows.md section 8: masks are structure, not parameters).
 */
final class FlowParameters {
  private final Graph g;
  private final int flow;
  private final Map<String, FlowLayout.Slot> slots = new HashMap<>();
  private final Map<String, Node> nodes = new HashMap<>();

  FlowParameters(Graph g, int flow) {
    this.g = g;
    this.flow = flow;
  }

  void add(FlowLayout.Slot slot, Node node) {
    slots.put(slot.parameter(), slot);
    nodes.put(slot.parameter(), node);
  }

  /** Whether the parameter exists (a masked matrix whose every element is masked out does not). */
  boolean has(String name) {
    return nodes.containsKey(name);
  }

  /** The parameter as the flow uses it: scalar, vector, or dense matrix. */
  Node get(String name) {
    Node node = nodes.get(name);
    if (node == null) {
      throw new IllegalArgumentException("flow " + flow + " has no parameter " + name);
    }
    if (slots.get(name).shape() instanceof SlotShape.Masked m) {
      return g.place(node, m.rows(), m.cols(), m.positions());
    }
    return node;
  }

  /** The graph input's shape for a slot: masked matrices come packed, as a vector of their elements. */
  static Shape inputShape(SlotShape shape) {
    if (shape instanceof SlotShape.Scalar) {
      return Shape.SCALAR;
    } else if (shape instanceof SlotShape.Matrix m) {
      return Shape.matrix(m.rows(), m.cols());
    }
    return Shape.vector(shape.elementCount());
  }
}
