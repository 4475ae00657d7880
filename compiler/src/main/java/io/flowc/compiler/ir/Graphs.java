package io.flowc.compiler.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Walks and copies of IR graphs. */
public final class Graphs {
  private Graphs() {}

  /**
   * The nodes reachable from {@code roots}, in id order (a topological order). Written with
   * arrays rather than a deque and a bit set: a fresh process runs it interpreted, and every
   * pass of a compile walks its function's graph through it.
   */
  public static List<Node> reachable(Graph graph, List<Node> roots) {
    boolean[] seen = new boolean[graph.size()];
    Node[] stack = new Node[Math.max(16, roots.size())];
    int top = 0;
    int count = 0;
    for (Node r : roots) {
      if (!seen[r.id()]) {
        seen[r.id()] = true;
        stack[top++] = r;
        count++;
      }
    }
    while (top > 0) {
      Node n = stack[--top];
      for (int i = 0, arity = n.arity(); i < arity; i++) {
        Node a = n.arg(i);
        int id = a.id();
        if (!seen[id]) {
          seen[id] = true;
          if (top == stack.length) {
            stack = Arrays.copyOf(stack, 2 * top);
          }
          stack[top++] = a;
          count++;
        }
      }
    }
    List<Node> out = new ArrayList<>(count);
    for (int id = 0; id < seen.length; id++) {
      if (seen[id]) {
        out.add(graph.node(id));
      }
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
    // each node's copy by its id: an array, not a map, for a fresh process's interpreter
    Node[] copy = new Node[f.graph().size()];
    List<Node> inputs = new ArrayList<>();
    for (Node in : f.inputs()) {
      Node c = target.input(in.name(), in.attr(0), in.shape());
      copy[in.id()] = c;
      inputs.add(c);
    }
    for (Node n : f.liveNodes()) {
      if (copy[n.id()] != null) {
        continue;
      }
      Node[] args = new Node[n.arity()];
      for (int i = 0; i < args.length; i++) {
        args[i] = copy[n.arg(i).id()];
      }
      Node rewritten = rewrite.apply(n, args);
      copy[n.id()] = rewritten != null ? rewritten : target.copyOf(n, args);
    }
    List<IrFunction.Output> outputs = new ArrayList<>(f.outputs().size());
    for (IrFunction.Output o : f.outputs()) {
      outputs.add(new IrFunction.Output(o.name(), copy[o.node().id()]));
    }
    return new IrFunction(target, inputs, outputs);
  }
}
