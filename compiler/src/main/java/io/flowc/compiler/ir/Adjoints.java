package io.flowc.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The adjoints of reverse mode as they accumulate: each node's sum of the contributions of its
 * users, in the order they come.
 *
 * <p>A vector read element by element ({@code v[0]}, {@code v[1]}, ..., as a matrix product
 * reads its vector) gets one contribution per element, each a vector of zeros around one
 * scalar. Added one at a time they would cost a whole vector per element: quadratic work and
 * workspace. A run of such contributions at distinct places is kept aside and added as one
 * vector of its scalars (zeros between them). Each element then receives the same nonzero terms
 * in the same order, so values do not change (up to the sign of a zero). Vectors of at most
 * {@link #SHORT} elements, which the scheduler turns into scalars (where the zeros cost nothing),
 * keep the one-by-one sum and the code they always had.
 */
final class Adjoints {
  /** The scheduler's {@code SCALARIZE_LIMIT}. */
  static final int SHORT = 16;

  private final Graph graph;
  private final Map<Node, Node> sums = new HashMap<>();
  /** Per node, a run of scalar embeds by offset not yet added to its sum. */
  private final Map<Node, TreeMap<Integer, Node>> runs = new HashMap<>();

  Adjoints(Graph graph) {
    this.graph = graph;
  }

  void set(Node node, Node adjoint) {
    sums.put(node, adjoint);
  }

  /** Adds {@code contribution} into the adjoint of {@code node}. */
  void add(Node node, Node contribution) {
    TreeMap<Integer, Node> run = runs.get(node);
    if (isScalarEmbed(contribution) && contribution.attr(1) > SHORT) {
      if (run != null && !run.containsKey(contribution.attr(0))) {
        run.put(contribution.attr(0), contribution.arg(0));
        return;
      }
      flush(node);
      TreeMap<Integer, Node> fresh = new TreeMap<>();
      fresh.put(contribution.attr(0), contribution.arg(0));
      runs.put(node, fresh);
      return;
    }
    flush(node);
    accumulate(node, contribution);
  }

  /** The adjoint of {@code node} (null for zero); no contribution may come after this. */
  Node get(Node node) {
    flush(node);
    return sums.get(node);
  }

  private static boolean isScalarEmbed(Node c) {
    return c.op() == Op.EMBED && c.arg(0).shape().isScalar();
  }

  private void accumulate(Node node, Node contribution) {
    Node previous = sums.get(node);
    sums.put(node, previous == null ? contribution : graph.add(previous, contribution));
  }

  private void flush(Node node) {
    TreeMap<Integer, Node> run = runs.remove(node);
    if (run == null) {
      return;
    }
    int length = node.shape().length();
    if (run.size() == 1) {
      Map.Entry<Integer, Node> only = run.firstEntry();
      accumulate(node, graph.embed(only.getValue(), only.getKey(), length));
      return;
    }
    List<Node> pieces = new ArrayList<>();
    int at = 0;
    for (Map.Entry<Integer, Node> e : run.entrySet()) {
      addZeros(pieces, e.getKey() - at);
      pieces.add(e.getValue());
      at = e.getKey() + 1;
    }
    addZeros(pieces, length - at);
    accumulate(node, graph.concat(pieces.toArray(Node[]::new)));
  }

  private void addZeros(List<Node> pieces, int count) {
    if (count == 1) {
      pieces.add(graph.constant(0));
    } else if (count > 1) {
      pieces.add(graph.broadcast(graph.constant(0), count));
    }
  }
}
