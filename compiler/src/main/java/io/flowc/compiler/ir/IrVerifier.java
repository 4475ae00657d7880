package io.flowc.compiler.ir;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Checks the invariants every pass must keep: each live node belongs to the function's graph,
 * its arguments come before it (so the graph is acyclic), it has its op's number of arguments,
 * its shape is the one its op gives those arguments, and every output and input is there.
 * Throws {@link IllegalStateException} naming the first broken node.
 *
 * <p>{@link #verify} always checks: the compiler checks the IR it hands to the scheduler.
 * {@link #afterPass} checks the IR between passes when Java's assertions are on (as in every
 * test run) or {@code -Dflowc.verifyIr=true}: a fresh process runs the compiler interpreted, and
 * checking after every pass took a tenth of a model's compile there.
 */
public final class IrVerifier {
  /** Whether {@link #afterPass} checks. */
  private static final boolean EVERY_PASS = IrVerifier.class.desiredAssertionStatus() || Boolean.getBoolean("flowc.verifyIr");

  private IrVerifier() {}

  /** {@code f}, checked between passes when assertions are on or {@code flowc.verifyIr} is set (see above). */
  public static IrFunction afterPass(IrFunction f) {
    return EVERY_PASS ? verify(f) : f;
  }

  public static IrFunction verify(IrFunction f) {
    Graph g = f.graph();
    Set<Node> declaredInputs = Collections.newSetFromMap(new IdentityHashMap<>());
    declaredInputs.addAll(f.inputs());
    for (Node in : f.inputs()) {
      require(in.op() == Op.INPUT, in, "input list holds a non-input");
      require(in.id() < g.size() && g.nodes().get(in.id()) == in, in, "input from another graph");
    }
    for (IrFunction.Output o : f.outputs()) {
      if (o.node() == null) {
        fail(null, "output " + o.name() + " has no node");
      }
      if (g.nodes().size() <= o.node().id() || g.nodes().get(o.node().id()) != o.node()) {
        fail(o.node(), "output " + o.name() + " from another graph");
      }
    }
    // Walk the nodes themselves first: liveNodes() looks them up by id, so it would read another
    // graph's node as whichever node of this graph has its id.
    boolean[] seen = new boolean[g.size()];
    Node[] stack = new Node[Math.max(16, f.outputs().size())];
    int top = 0;
    for (IrFunction.Output o : f.outputs()) {
      stack[top++] = o.node();
    }
    while (top > 0) {
      Node n = stack[--top];
      require(n.id() < seen.length && g.node(n.id()) == n, n, "node from another graph");
      if (!seen[n.id()]) {
        seen[n.id()] = true;
        for (int i = 0, arity = n.arity(); i < arity; i++) {
          if (top == stack.length) {
            stack = Arrays.copyOf(stack, 2 * top);
          }
          stack[top++] = n.arg(i);
        }
      }
    }
    for (Node n : f.liveNodes()) {
      Op op = n.op();
      require(op.arity < 0 ? n.arity() > 0 : n.arity() == op.arity, n, "wrong number of arguments");
      for (int i = 0, arity = n.arity(); i < arity; i++) {
        Node a = n.arg(i);
        if (a.id() >= n.id()) {
          fail(n, "argument %" + a.id() + " does not come first (cycle?)");
        }
      }
      if (op.kind != Op.Kind.LEAF) {
        Shape expected;
        try {
          expected = op == Op.SCAN ? n.scanBody().resultShape(n.attrs(), n.argArray())
              : Graph.shapeOf(op, n.attrs(), n.argArray());
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException("IR verifier: " + n + ": " + e.getMessage(), e);
        }
        if (!expected.equals(n.shape())) {
          fail(n, "shape " + n.shape() + " but its op gives " + expected);
        }
      }
      if (op == Op.INPUT) {
        require(declaredInputs.contains(n), n, "input not declared by the function");
      }
      require(op != Op.CONST || n.shape().isScalar(), n, "a vector constant");
      if (op == Op.SCAN) {
        verify(n.scanBody().function());
      }
    }
    return f;
  }

  /** Messages built from values are built only on failure: the verifier runs on every node of every pass. */
  private static void require(boolean ok, Node n, String message) {
    if (!ok) {
      fail(n, message);
    }
  }

  private static void fail(Node n, String message) {
    throw new IllegalStateException("IR verifier: " + (n == null ? "" : n + ": ") + message);
  }
}
