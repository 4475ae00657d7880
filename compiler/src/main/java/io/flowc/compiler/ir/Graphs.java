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
   * pass of a compile walks its function's graph through it; the marks are bits in words, so that
   * a small function in a large graph (a scan's body, a flow's part) costs its own nodes and a
   * sweep over the graph's words.
   */
  public static List<Node> reachable(Graph graph, List<Node> roots) {
    long[] seen = new long[(graph.size() + 63) >>> 6];
    Node[] stack = new Node[Math.max(16, roots.size())];
    int top = 0;
    int count = 0;
    for (Node r : roots) {
      int id = r.id();
      if ((seen[id >>> 6] & (1L << id)) == 0) {
        seen[id >>> 6] |= 1L << id;
        stack[top++] = r;
        count++;
      }
    }
    while (top > 0) {
      Node n = stack[--top];
      for (int i = 0, arity = n.arity(); i < arity; i++) {
        Node a = n.arg(i);
        int id = a.id();
        if ((seen[id >>> 6] & (1L << id)) == 0) {
          seen[id >>> 6] |= 1L << id;
          if (top == stack.length) {
            stack = Arrays.copyOf(stack, 2 * top);
          }
          stack[top++] = a;
          count++;
        }
      }
    }
    List<Node> out = new ArrayList<>(count);
    for (int w = 0; w < seen.length; w++) {
      for (long word = seen[w]; word != 0; word &= word - 1) {
        out.add(graph.node((w << 6) + Long.numberOfTrailingZeros(word)));
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
