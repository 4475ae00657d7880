package io.flowc.compiler.ir;


/**
 * Checks the invariants every pass must keep: each live node belongs to the function's graph,
 * its arguments come before it (so the graph is acyclic), it has its op's number of arguments,
 * its shape is the one its op gives those arguments, and every output and input is there.
 * Throws {@link IllegalStateException} naming the first broken node.
 */
public final class IrVerifier {
  private IrVerifier() {}

  public static IrFunction verify(IrFunction f) {
    Graph g = f.graph();
    for (Node in : f.inputs()) {
      require(in.op() == Op.INPUT, in, "input list holds a non-input");
      require(g.nodes().get(in.id()) == in, in, "input from another graph");
    }
    for (IrFunction.Output o : f.outputs()) {
      require(o.node() != null, null, "output " + o.name() + " has no node");
      require(g.nodes().size() > o.node().id() && g.nodes().get(o.node().id()) == o.node(), o.node(),
          "output " + o.name() + " from another graph");
    }
    for (Node n : f.liveNodes()) {
      require(g.nodes().get(n.id()) == n, n, "node from another graph");
      Op op = n.op();
      require(op.arity < 0 ? n.arity() > 0 : n.arity() == op.arity, n, "wrong number of arguments");
      for (Node a : n.args()) {
        require(a.id() < n.id(), n, "argument %" + a.id() + " does not come first (cycle?)");
      }
      if (op.kind != Op.Kind.LEAF) {
        Shape expected;
        try {
          expected = Graph.shapeOf(op, n.attrs(), n.args().toArray(Node[]::new));
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException("IR verifier: " + n + ": " + e.getMessage(), e);
        }
        require(expected.equals(n.shape()), n, "shape " + n.shape() + " but its op gives " + expected);
      }
      if (op == Op.INPUT) {
        require(f.inputs().contains(n), n, "input not declared by the function");
      }
      require(op != Op.CONST || n.shape().isScalar(), n, "a vector constant");
    }
    return f;
  }

  private static void require(boolean ok, Node n, String message) {
    if (!ok) {
      throw new IllegalStateException("IR verifier: " + (n == null ? "" : n + ": ") + message);
    }
  }
}
