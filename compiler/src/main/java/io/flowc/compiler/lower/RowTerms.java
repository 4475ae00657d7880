package io.flowc.compiler.lower;

import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.runtime.data.DataLayout;
import java.util.Map;

/**
 * Which parts of a model's log density read rows of data, and whether they are sums over rows:
 * what minibatches rely on. With the rows of a free size N drawn in batches of B, a term that is
 * a sum over rows of per-row values, times N/B, estimates the full sum without bias (PyMC3's
 * {@code total_size}); a term that is not (a data mean used inside another term, a square of a
 * sum) would be biased, so such models are refused.
 */
public final class RowTerms {
  /** The name of the row scale's data leaf. */
  public static final String SCALE_NAME = "row_scale";

  private RowTerms() {}

  /** Whether {@code n} reads data of a free size, or a free size itself. */
  public static boolean readsRows(Node n, DataLayout layout, Map<Node, Boolean> memo) {
    Boolean known = memo.get(n);
    if (known != null) {
      return known;
    }
    boolean reads;
    if (n.op() == Op.DATA) {
      reads = n.shape().isDynamic() || isFreeSize(n, layout);
    } else {
      reads = false;
      for (int i = 0; i < n.arity() && !reads; i++) {
        reads = readsRows(n.arg(i), layout, memo);
      }
    }
    memo.put(n, reads);
    return reads;
  }

  private static boolean isFreeSize(Node data, DataLayout layout) {
    if (!data.shape().isScalar()) {
      return false;
    }
    for (DataLayout.Variable v : layout.variables()) {
      if (v.isDynamic() && layout.variable(v.rows()).offset() == data.attr(0)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a scalar term is linear in the rows: built by sums, differences and products with
   * values that read no rows from sums over rows of per-row values, and from the sizes
   * themselves (a count of rows).
   */
  public static boolean isSumOverRows(Node n, DataLayout layout, Map<Node, Boolean> memo) {
    if (!readsRows(n, layout, memo)) {
      return true;
    }
    return switch (n.op()) {
      case ADD, SUB -> isSumOverRows(n.arg(0), layout, memo) && isSumOverRows(n.arg(1), layout, memo);
      case NEG -> isSumOverRows(n.arg(0), layout, memo);
      case MUL -> !readsRows(n.arg(0), layout, memo) ? isSumOverRows(n.arg(1), layout, memo)
          : !readsRows(n.arg(1), layout, memo) && isSumOverRows(n.arg(0), layout, memo);
      case DIV -> !readsRows(n.arg(1), layout, memo) && isSumOverRows(n.arg(0), layout, memo);
      case SUM -> isPerRow(n.arg(0), layout, memo);
      case DATA -> isFreeSize(n, layout);
      default -> false;
    };
  }

  /** Whether row i of {@code n} depends on row i of the data alone (and on values that read no rows). */
  private static boolean isPerRow(Node n, DataLayout layout, Map<Node, Boolean> memo) {
    if (!readsRows(n, layout, memo)) {
      return true;
    }
    if (!n.shape().isDynamic()) {
      return false;
    }
    if (n.op() == Op.DATA) {
      return true;
    }
    if (n.op() == Op.GATHER) {
      return !readsRows(n.arg(0), layout, memo) && isPerRow(n.arg(1), layout, memo);
    }
    if (n.op().kind != Op.Kind.ELEMENTWISE && n.op() != Op.BROADCAST) {
      return false;
    }
    for (Node a : n.args()) {
      if (!isPerRow(a, layout, memo)) {
        return false;
      }
    }
    return true;
  }
}
