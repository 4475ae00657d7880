package io.flowc.compiler.lower;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loop-invariant code motion for a loop's body before it becomes a scan: a value of the body that
 * reads neither a carry nor a slice (log(sigma) of {@code err ~ normal(0, sigma)}) is computed once
 * before the loop, in the outer graph, and enters the body as one more constant. The scan's
 * derivative then sums that constant's adjoint over the iterations and the outer graph
 * differentiates the value once, instead of every iteration doing both.
 */
final class LoopInvariants {
  private LoopInvariants() {}

  /** The body with its invariants hoisted, and its constants' outer values (hoisted ones appended). */
  record Hoisted(IrFunction body, List<Node> constants) {}

  /**
   * {@code body}'s inputs are {@code varying} carries and slices, then constants whose outer values
   * are {@code constants} (in order); the hoisted values are made in {@code outer}.
   */
  static Hoisted hoist(IrFunction body, int varying, List<Node> constants, Graph outer) {
    List<Node> inputs = body.inputs();
    Set<Node> variant = new HashSet<>(inputs.subList(0, varying));
    List<Node> live = body.liveNodes();
    for (Node n : live) {
      if (n.args().stream().anyMatch(variant::contains)) {
        variant.add(n);
      }
    }
    // the largest invariant values: invariant computations a varying node or an output reads
    Set<Node> hoisted = new LinkedHashSet<>();
    for (Node n : live) {
      if (variant.contains(n)) {
        n.args().stream().filter(a -> worthHoisting(a, variant)).forEach(hoisted::add);
      }
    }
    body.outputs().stream().map(IrFunction.Output::node).filter(o -> worthHoisting(o, variant)).forEach(hoisted::add);
    if (hoisted.isEmpty()) {
      return new Hoisted(body, constants);
    }
    Map<Node, Node> outerOf = new HashMap<>();
    for (int k = varying; k < inputs.size(); k++) {
      outerOf.put(inputs.get(k), constants.get(k - varying));
    }
    Graph g = new Graph(body.graph().simplifies());
    Map<Node, Node> copy = new HashMap<>();
    List<Node> newInputs = new ArrayList<>();
    for (int k = 0; k < inputs.size(); k++) {
      Node in = inputs.get(k);
      Node made = g.input(in.name(), k, in.shape());
      copy.put(in, made);
      newInputs.add(made);
    }
    List<Node> newConstants = new ArrayList<>(constants);
    int slot = inputs.size();
    for (Node h : hoisted) {
      Node made = g.input("invariant" + (slot - inputs.size()), slot++, h.shape());
      copy.put(h, made);
      newInputs.add(made);
      newConstants.add(inOuter(h, outerOf, outer));
    }
    for (Node n : live) {
      if (!copy.containsKey(n)) {
        copy.put(n, n.op().kind == Op.Kind.LEAF ? g.copyLeaf(n)
            : g.copyOf(n, n.args().stream().map(copy::get).toArray(Node[]::new)));
      }
    }
    List<IrFunction.Output> outputs = body.outputs().stream()
        .map(o -> new IrFunction.Output(o.name(), copy.get(o.node()))).toList();
    return new Hoisted(new IrFunction(g, newInputs, outputs), newConstants);
  }

  /** An invariant value that is computed (not an input, a constant or data, which cost nothing to read). */
  private static boolean worthHoisting(Node n, Set<Node> variant) {
    return !variant.contains(n) && n.op().kind != Op.Kind.LEAF;
  }

  /** An invariant value of the body made again in the outer graph, its constant inputs replaced by their outer values. */
  private static Node inOuter(Node n, Map<Node, Node> made, Graph outer) {
    Node known = made.get(n);
    if (known != null) {
      return known;
    }
    Node result = n.op().kind == Op.Kind.LEAF ? outer.copyLeaf(n)
        : outer.copyOf(n, n.args().stream().map(a -> inOuter(a, made, outer)).toArray(Node[]::new));
    made.put(n, result);
    return result;
  }
}
