package io.flowc.compiler.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Walks and copies of IR graphs. */
public final class Graphs {
  private Graphs() {}

  /** The nodes reachable from {@code roots}, in id order (a topological order). */
  public static List<Node> reachable(Graph graph, List<Node> roots) {
    BitSet seen = new BitSet(graph.size());
    Deque<Node> stack = new ArrayDeque<>(roots);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      if (!seen.get(n.id())) {
        seen.set(n.id());
        for (Node a : n.args()) {
          stack.push(a);
        }
      }
    }
    List<Node> out = new ArrayList<>(seen.cardinality());
    for (int id = seen.nextSetBit(0); id >= 0; id = seen.nextSetBit(id + 1)) {
      out.add(graph.nodes().get(id));
    }
    return out;
  }

  /**
   * Rebuilds the live part of a function in a new graph, node by node in topological order.
   * With a simplifying target this is the simplifier pass; either way dead nodes are dropped.
   */
  public static IrFunction rebuild(IrFunction f, Graph target) {
    return rebuild(f, target, (n, args) -> null);
  }

  /** How a rebuild makes a node from its copied arguments: null to copy it as it is. */
  public interface NodeRewrite {
    Node apply(Node original, Node[] args);
  }

  /** As {@link #rebuild(IrFunction, Graph)}, each node made by {@code rewrite} where it says how. */
  public static IrFunction rebuild(IrFunction f, Graph target, NodeRewrite rewrite) {
    Map<Node, Node> copy = new HashMap<>();
    List<Node> inputs = new ArrayList<>();
    for (Node in : f.inputs()) {
      Node c = target.input(in.name(), in.attr(0), in.shape());
      copy.put(in, c);
      inputs.add(c);
    }
    for (Node n : f.liveNodes()) {
      if (copy.containsKey(n)) {
        continue;
      }
      Node[] args = new Node[n.arity()];
      for (int i = 0; i < args.length; i++) {
        args[i] = copy.get(n.arg(i));
      }
      Node rewritten = rewrite.apply(n, args);
      copy.put(n, rewritten != null ? rewritten : target.copyOf(n, args));
    }
    List<IrFunction.Output> outputs = f.outputs().stream()
        .map(o -> new IrFunction.Output(o.name(), copy.get(o.node())))
        .toList();
    return new IrFunction(target, inputs, outputs);
  }
}
