package io.flowc.compiler.ir;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each node of a function is needed, so that the differentiator can keep the untaken
 * branch of a conditional out of the gradient (the "double where" problem). In
 * {@code x > 100 ? sqrt(x - 100) : 0} at x = 1 the conditional sends the adjoint 0 into the square
 * root, whose own rule multiplies it by 0.5 / sqrt(-99), NaN; and 0 * NaN is NaN, not 0.
 *
 * <p>The guard of a node is a conjunction of {@link Literal}s that holds wherever its value can
 * change the output: a branch of {@code select(c, a, b)} is needed only where c (for a) or not c
 * (for b) holds, on top of what the select itself needs; a node used in several places needs only
 * what all of them need (the intersection: a weaker guard is always safe). An adjoint may be
 * garbage where its node's guard fails, so every contribution that leaves a guarded region, along
 * the use of an argument whose guard lacks some of the use's literals, is masked with those
 * literals: {@code select(c, contribution, 0)}, which is exactly zero where c fails, whatever the
 * contribution is there. Code without conditionals has empty guards everywhere and gets no masks.
 *
 * <p>Shapes: a literal's condition is a scalar, or a vector of its node's shape, one truth value
 * per element. Elementwise ops keep elements in place, so their arguments inherit the literals as
 * they are. Where a vector literal meets a reduction or rearrangement (broadcast, index, sum,
 * slice, concatenation, gather, ...), elements no longer line up: the adjoint is first masked
 * element by element with the node's vector literals, and the arguments get the weaker literal
 * "some element holds", {@link Literal#anyElement}.
 */
final class Guards {
  /**
   * {@code cond != 0} ({@code taken}) or {@code cond == 0} (not {@code taken}), element by element;
   * if {@code anyElement}, the scalar "that holds for some element of the vector {@code cond}".
   */
  record Literal(Node cond, boolean taken, boolean anyElement) {
    /** The literal a branch of {@code select(cond, ...)} needs; a broadcast scalar condition stays a scalar. */
    static Literal branch(Node cond, boolean taken) {
      return new Literal(cond.op() == Op.BROADCAST ? cond.arg(0) : cond, taken, false);
    }

    boolean isScalar() {
      return anyElement || cond.shape().isScalar();
    }

    /** The literal as the argument of a reduction or rearrangement sees it. */
    Literal acrossElements() {
      return isScalar() ? this : new Literal(cond, taken, true);
    }

    /** {@code value} where this literal holds, exactly zero elsewhere. */
    Node mask(Graph graph, Node value) {
      Node zero = graph.zerosLike(value);
      if (anyElement) {
        Node hits = taken ? graph.select(cond, graph.constant(1), graph.constant(0))
            : graph.select(cond, graph.constant(0), graph.constant(1));
        return graph.select(graph.apply(Op.NE, graph.sum(hits), graph.constant(0)), value, zero);
      }
      return taken ? graph.select(cond, value, zero) : graph.select(cond, zero, value);
    }
  }

  /** The guard of code outside every conditional (shared: never changed). */
  private static final Set<Literal> EVERYWHERE = Set.of();

  private final Map<Node, Set<Literal>> guards = new HashMap<>();

  /**
   * The guards of the nodes of {@code order} (every node {@code output} reaches, in topological
   * order) through which an adjoint flows. The inputs, whose adjoints are the result, are needed
   * everywhere.
   */
  Guards(List<Node> order, Node output, List<Node> inputs) {
    guards.put(output, EVERYWHERE);
    for (Node in : inputs) {
      guards.put(in, EVERYWHERE);
    }
    for (int k = order.size() - 1; k >= 0; k--) {
      Node node = order.get(k);
      if (!guards.containsKey(node) || !node.dependsOnInputs() || node.op().kind == Op.Kind.LEAF) {
        continue;
      }
      for (int i = 0; i < node.arity(); i++) {
        Node arg = node.arg(i);
        if (arg.dependsOnInputs() && carriesAdjoint(node, i)) {
          Set<Literal> use = use(node, i);
          Set<Literal> previous = guards.get(arg);
          if (previous == null) {
            guards.put(arg, use);
          } else if (!previous.isEmpty()) {
            previous.retainAll(use);
          }
        }
      }
    }
  }

  /** Whether argument i of node can have a nonzero adjoint: not a truth value's, not a select's condition. */
  private static boolean carriesAdjoint(Node node, int i) {
    return !node.op().isBoolean() && !(node.op() == Op.SELECT && i == 0);
  }

  /** What argument i of node is needed under through this use: the node's guard, and the branch's literal. */
  private Set<Literal> use(Node node, int i) {
    boolean branch = node.op() == Op.SELECT && i > 0;
    Set<Literal> guard = guards.get(node);
    if (guard.isEmpty() && !branch) {
      return EVERYWHERE;
    }
    Set<Literal> use = new LinkedHashSet<>();
    boolean inPlace = node.op().kind == Op.Kind.ELEMENTWISE;
    for (Literal l : guard) {
      use.add(inPlace ? l : l.acrossElements());
    }
    if (branch) {
      use.add(Literal.branch(node.arg(0), i == 1));
    }
    return use;
  }

  /**
   * The adjoint of node as its derivative rule may use it: where the node rearranges or reduces
   * elements, masked element by element with its vector literals (its arguments see only
   * "some element holds", which cannot stop garbage in the elements where it fails).
   */
  Node adjointForRule(Graph graph, Node node, Node adjoint) {
    if (node.op().kind == Op.Kind.ELEMENTWISE) {
      return adjoint;
    }
    for (Literal l : guards.get(node)) {
      if (!l.isScalar()) {
        adjoint = l.mask(graph, adjoint);
      }
    }
    return adjoint;
  }

  /** The contribution of node to the adjoint of its argument i, masked by what the use needs and the argument does not. */
  Node contribution(Graph graph, Node node, int i, Node contribution) {
    Set<Literal> argGuard = guards.get(node.arg(i));
    for (Literal l : use(node, i)) {
      if (!argGuard.contains(l)) {
        contribution = l.mask(graph, contribution);
      }
    }
    return contribution;
  }
}
