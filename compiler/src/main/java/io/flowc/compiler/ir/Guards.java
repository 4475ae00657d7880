package io.flowc.compiler.ir;

import java.util.ArrayList;
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
 * <p>A node's need is the condition under which its value can change the output, exactly, as a
 * disjunction of conjunctions of {@link Literal}s: a branch of {@code select(c, a, b)} is needed
 * where the select is and c holds (for a) or fails (for b); a node used in several places is
 * needed where any use needs it. Where a node is needed its value is defined (the model's branches
 * guard what they compute), so its adjoint is right there and may be garbage elsewhere. The
 * contribution along the use of an argument is right where the user is needed (and its branch
 * taken) and is masked with that condition, {@code select(cond, contribution, 0)}, which is
 * exactly zero where cond fails, whatever the contribution is there; literals that the argument's
 * own need already implies are left out of the mask, so the mask is only paid where a contribution
 * leaves a guarded region. Code without conditionals is needed everywhere and gets no masks.
 *
 * <p>Shapes: a literal's condition is a scalar, or a vector of its node's shape, one truth value
 * per element. Elementwise ops keep elements in place, so their arguments need what they need.
 * Where a vector literal meets a rearrangement (broadcast, concatenation, gather, ...), the
 * argument's elements need what the elements built from them need, which the op's own derivative
 * rule computes from the 0/1 truth vector (a broadcast scalar is needed if some element is); and
 * since the rule mixes elements, the adjoint is first masked element by element with the node's
 * need. Scalar literals hold for every element of a vector alike.
 */
final class Guards {
  /** {@code cond != 0} ({@code taken}) or {@code cond == 0} (not {@code taken}), element by element. */
  record Literal(Node cond, boolean taken) {
    /** The literal a branch of {@code select(cond, ...)} needs; a broadcast scalar condition stays a scalar. */
    static Literal branch(Node cond, boolean taken) {
      return new Literal(cond.op() == Op.BROADCAST ? cond.arg(0) : cond, taken);
    }

    boolean isScalar() {
      return cond.shape().isScalar();
    }

    /** 1 where the literal holds, 0 where it fails. */
    Node truth(Graph graph) {
      if (!taken) {
        return graph.apply(Op.NOT, cond);
      }
      return cond.op().isBoolean() ? cond : graph.apply(Op.NE, cond, graph.constant(0));
    }

    /** {@code value} where this literal holds, exactly zero elsewhere. */
    Node mask(Graph graph, Node value) {
      Node zero = graph.zerosLike(value);
      return taken ? graph.select(cond, value, zero) : graph.select(cond, zero, value);
    }
  }

  /** More conjunctions than this in a need become one literal, the need's truth value. */
  static final int MAX_CLAUSES = 8;

  /** The need of code outside every conditional: one empty conjunction (shared, never changed). */
  private static final List<Set<Literal>> EVERYWHERE = List.of(Set.of());

  private final Graph graph;
  private final Map<Node, List<Set<Literal>>> needs = new HashMap<>();

  /**
   * The needs of the nodes of {@code order} (every node {@code output} reaches, in topological
   * order) through which an adjoint flows. The inputs, whose adjoints are the result, are needed
   * everywhere.
   */
  Guards(Graph graph, List<Node> order, Node output, List<Node> inputs) {
    this.graph = graph;
    needs.put(output, EVERYWHERE);
    for (Node in : inputs) {
      needs.put(in, EVERYWHERE);
    }
    for (int k = order.size() - 1; k >= 0; k--) {
      Node node = order.get(k);
      if (!needs.containsKey(node) || !node.dependsOnInputs() || node.op().kind == Op.Kind.LEAF) {
        continue;
      }
      for (int i = 0; i < node.arity(); i++) {
        Node arg = node.arg(i);
        if (arg.dependsOnInputs() && carriesAdjoint(node, i)) {
          List<Set<Literal>> previous = needs.get(arg);
          List<Set<Literal>> use = use(node, i);
          needs.put(arg, previous == null ? use : or(previous, use));
        }
      }
    }
  }

  /**
   * Whether argument i of node can have a nonzero adjoint: not a truth value's, not a select's
   * condition, not a search's nor an index of pick or put.
   */
  private static boolean carriesAdjoint(Node node, int i) {
    Op op = node.op();
    return !op.isBoolean() && !(op == Op.SELECT && i == 0) && op != Op.SEARCH
        && !((op == Op.PICK || op == Op.PUT) && i == 1);
  }

  /** Whether the node's derivative rule mixes elements and its need distinguishes them. */
  private boolean rearrangesLiterals(Node node) {
    List<Set<Literal>> need = needs.get(node);
    return node.op().kind == Op.Kind.STRUCTURAL && need != EVERYWHERE
        && need.stream().flatMap(Set::stream).anyMatch(l -> !l.isScalar());
  }

  /** Where argument i of node is needed through this use. */
  private List<Set<Literal>> use(Node node, int i) {
    boolean branch = node.op() == Op.SELECT && i > 0;
    List<Set<Literal>> need = needs.get(node);
    if (need == EVERYWHERE && !branch) {
      return EVERYWHERE;
    }
    boolean rearranged = rearrangesLiterals(node);
    List<Set<Literal>> use = new ArrayList<>();
    for (Set<Literal> clause : need) {
      Set<Literal> c = rearranged ? rearranged(node, i, clause) : new LinkedHashSet<>(clause);
      if (branch) {
        c.add(Literal.branch(node.arg(0), i == 1));
      }
      use.add(c);
    }
    return or(use, List.of());
  }

  /** A conjunction of node's elements as argument i's elements see it: its derivative rule applied to the truth vector. */
  private Set<Literal> rearranged(Node node, int i, Set<Literal> clause) {
    Set<Literal> out = new LinkedHashSet<>();
    Node vector = null;
    for (Literal l : clause) {
      if (l.isScalar()) {
        out.add(l);
      } else {
        vector = vector == null ? l.truth(graph) : graph.apply(Op.AND, vector, l.truth(graph));
      }
    }
    if (vector != null) {
      out.add(new Literal(mixesValues(node.op())
          ? graph.apply(Op.NE, graph.sum(vector), graph.constant(0))
          : node.op().vjp(graph, node, vector)[i], true));
    }
    return out;
  }

  /**
   * Whether the op's derivative rule multiplies the adjoint by argument values, so that the rule
   * applied to a truth vector can cancel to zero where an element is needed: each element of
   * such an argument is then taken as needed where any element of the node is.
   */
  private static boolean mixesValues(Op op) {
    return op == Op.MATVEC || op == Op.MATVECT || op == Op.OUTER || op == Op.CHOLESKY || op == Op.CHOLESKY_ADJOINT
        || op == Op.TRISOLVE || op == Op.MATMUL || op == Op.LOG_ABS_DET || op == Op.LOG_ABS_DET_ADJOINT;
  }

  /** The disjunction of two needs, without conjunctions that another one implies; one literal if it grows large. */
  private List<Set<Literal>> or(List<Set<Literal>> a, List<Set<Literal>> b) {
    if (a == EVERYWHERE || b == EVERYWHERE) {
      return EVERYWHERE;
    }
    List<Set<Literal>> all = new ArrayList<>(a);
    all.addAll(b);
    List<Set<Literal>> out = new ArrayList<>();
    for (int k = 0; k < all.size(); k++) {
      Set<Literal> clause = all.get(k);
      if (clause.isEmpty()) {
        return EVERYWHERE;
      }
      boolean implied = false;
      for (int m = 0; m < all.size() && !implied; m++) {
        Set<Literal> other = all.get(m);
        // a weaker conjunction makes this one redundant (of two equal ones the first stays)
        implied = m != k && clause.containsAll(other) && (other.size() < clause.size() || m < k);
      }
      if (!implied) {
        out.add(clause);
      }
    }
    if (out.size() > MAX_CLAUSES) {
      Set<Literal> one = new LinkedHashSet<>();
      one.add(new Literal(truth(out), true));
      return List.of(one);
    }
    return out;
  }

  /** 1 where a need holds, 0 elsewhere. */
  private Node truth(List<Set<Literal>> need) {
    Node any = null;
    for (Set<Literal> clause : need) {
      Node all = null;
      for (Literal l : clause) {
        all = all == null ? l.truth(graph) : graph.apply(Op.AND, all, l.truth(graph));
      }
      any = any == null ? all : graph.apply(Op.OR, any, all);
    }
    return any;
  }

  /** {@code value} where the need holds, exactly zero elsewhere. */
  private Node mask(List<Set<Literal>> need, Node value) {
    if (need.size() == 1) {
      for (Literal l : need.get(0)) {
        value = l.mask(graph, value);
      }
      return value;
    }
    return graph.select(truth(need), value, graph.zerosLike(value));
  }

  /**
   * The adjoint of node as its derivative rule may use it: where the rule mixes elements that its
   * need tells apart, masked element by element (the contributions it makes are then right
   * everywhere).
   */
  Node adjointForRule(Node node, Node adjoint) {
    return rearrangesLiterals(node) ? mask(needs.get(node), adjoint) : adjoint;
  }

  /** The contribution of node to the adjoint of its argument i, zero wherever the use does not need it. */
  Node contribution(Node node, int i, Node contribution) {
    if (rearrangesLiterals(node)) {
      return contribution;
    }
    List<Set<Literal>> use = use(node, i);
    List<Set<Literal>> argNeed = needs.get(node.arg(i));
    if (use == EVERYWHERE || implies(argNeed, use)) {
      return contribution;
    }
    // where the argument is needed, literals that all of its need's conjunctions hold are true
    Set<Literal> known = new LinkedHashSet<>(argNeed.get(0));
    argNeed.forEach(known::retainAll);
    List<Set<Literal>> rest = new ArrayList<>();
    for (Set<Literal> clause : use) {
      Set<Literal> c = new LinkedHashSet<>(clause);
      c.removeAll(known);
      rest.add(c);
    }
    return mask(rest, contribution);
  }

  /** Whether need a implies need b: each conjunction of a contains one of b. */
  private static boolean implies(List<Set<Literal>> a, List<Set<Literal>> b) {
    return a.stream().allMatch(clause -> b.stream().anyMatch(clause::containsAll));
  }
}
