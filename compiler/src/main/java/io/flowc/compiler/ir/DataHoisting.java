package io.flowc.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Subexpressions that depend on data alone ({@code mom_hs * mom_iq}, {@code log(sigma)} of a data
 * vector) are computed once per data binding instead of at every evaluation: the values are
 * stored after the raw data in the workspace's data region, and the kernels read them there as
 * DATA leaves. Candidates are found in one function (the model's value and gradient); another
 * function (a flow's ELBO) reuses a candidate wherever it builds the same subexpression, matched
 * by a structural key, so that all kernels of a model share one derived region.
 */
public final class DataHoisting {
  private DataHoisting() {}

  /**
   * A hoisted subexpression: its structural key, its node (in the function it was found in), its
   * offset; for a value of data-dependent length, the header slot that holds its offset.
   */
  public record Derived(String key, Node node, int offset) {
    public boolean isDynamic() {
      return node.shape().isDynamic();
    }
  }

  /**
   * The largest data-only subexpressions of {@code f} that input-dependent nodes use, laid out
   * from {@code start} in the order they appear (node id order, so deterministic): the values
   * of fixed length, then one header slot for each of data-dependent length.
   */
  public static List<Derived> plan(IrFunction f, int start) {
    List<Node> live = f.liveNodes();
    Map<Node, Boolean> usedByInputDependent = new HashMap<>();
    for (Node n : live) {
      if (n.dependsOnInputs()) {
        for (Node a : n.args()) {
          usedByInputDependent.put(a, true);
        }
      }
    }
    Map<Node, String> keys = new HashMap<>();
    Map<Node, Boolean> readsData = new HashMap<>();
    List<Derived> out = new ArrayList<>();
    List<Node> dynamic = new ArrayList<>();
    int offset = start;
    for (Node n : live) {
      if (usedByInputDependent.containsKey(n) && worthHoisting(n, readsData)) {
        if (n.shape().isDynamic()) {
          dynamic.add(n);
        } else {
          out.add(new Derived(key(n, keys), n, offset));
          offset += n.shape().size();
        }
      }
    }
    for (Node n : dynamic) {
      out.add(new Derived(key(n, keys), n, offset++));
    }
    return out;
  }

  /** Data-only, built from data by arithmetic (not a leaf, not a mere view or repetition of one). */
  private static boolean worthHoisting(Node n, Map<Node, Boolean> readsData) {
    if (n.dependsOnInputs() || n.op().kind == Op.Kind.LEAF || !readsData(n, readsData)) {
      return false;
    }
    return switch (n.op()) {
      case BROADCAST, INDEX, SLICE -> n.arg(0).op().kind != Op.Kind.LEAF;
      // the structural key does not describe a scan's body
      case SCAN -> false;
      default -> true;
    };
  }

  private static boolean readsData(Node n, Map<Node, Boolean> memo) {
    Boolean known = memo.get(n);
    if (known != null) {
      return known;
    }
    boolean reads = n.op() == Op.DATA;
    for (int i = 0; i < n.arity() && !reads; i++) {
      reads = readsData(n.arg(i), memo);
    }
    memo.put(n, reads);
    return reads;
  }

  /** A node's structure as text: equal for equal subexpressions of any graph. */
  static String key(Node n, Map<Node, String> memo) {
    String known = memo.get(n);
    if (known != null) {
      return known;
    }
    StringBuilder s = new StringBuilder(n.op().symbol());
    switch (n.op()) {
      case CONST -> s.append(' ').append(Double.doubleToRawLongBits(n.value()));
      case INPUT -> s.append(' ').append(n.name()).append('@').append(n.attr(0));
      case DATA -> s.append(' ').append(n.name()).append('@').append(n.attr(0)).append('.').append(n.attr(1));
      default -> {
        for (int i = 0; i < n.attrCount(); i++) {
          s.append(i == 0 ? "[" : ",").append(n.attr(i)).append(i == n.attrCount() - 1 ? "]" : "");
        }
        s.append('(');
        for (int i = 0; i < n.arity(); i++) {
          s.append(i == 0 ? "" : ",").append(key(n.arg(i), memo));
        }
        s.append(')');
      }
    }
    s.append(':').append(n.shape());
    String key = s.toString();
    memo.put(n, key);
    return key;
  }

  /**
   * {@code f} with every data-only subexpression that has a derived slot replaced by a DATA leaf
   * reading that slot; simplified again on the way.
   */
  public static IrFunction apply(IrFunction f, List<Derived> derived) {
    if (derived.isEmpty()) {
      return f;
    }
    Map<String, Derived> byKey = new LinkedHashMap<>();
    derived.forEach(d -> byKey.put(d.key(), d));
    Graph target = new Graph(true);
    Map<Node, Node> copy = new HashMap<>();
    Map<Node, String> keys = new HashMap<>();
    List<Node> inputs = new ArrayList<>();
    for (Node in : f.inputs()) {
      Node c = target.copyLeaf(in);
      copy.put(in, c);
      inputs.add(c);
    }
    for (Node n : f.liveNodes()) {
      if (copy.containsKey(n)) {
        continue;
      }
      Derived d = !n.dependsOnInputs() && n.op().kind != Op.Kind.LEAF ? byKey.get(key(n, keys)) : null;
      Node c;
      if (d != null) {
        c = target.data("derived@" + d.offset(), d.offset(), n.shape());
      } else if (n.op().kind == Op.Kind.LEAF) {
        c = target.copyLeaf(n);
      } else {
        Node[] args = new Node[n.arity()];
        for (int i = 0; i < args.length; i++) {
          args[i] = copy.get(n.arg(i));
        }
        c = target.copyOf(n, args);
      }
      copy.put(n, c);
    }
    List<IrFunction.Output> outputs = f.outputs().stream()
        .map(o -> new IrFunction.Output(o.name(), copy.get(o.node()))).toList();
    return new IrFunction(target, inputs, outputs);
  }

  /** The function computing the derived values from the data: no inputs, one output per slot ({@code derived.K}). */
  public static IrFunction prologue(IrFunction source, List<Derived> derived) {
    List<IrFunction.Output> outputs = new ArrayList<>();
    for (int k = 0; k < derived.size(); k++) {
      outputs.add(new IrFunction.Output(outputName(k), derived.get(k).node()));
    }
    return Graphs.rebuild(new IrFunction(source.graph(), List.of(), outputs), new Graph(true));
  }

  public static String outputName(int k) {
    return "derived." + k;
  }
}
