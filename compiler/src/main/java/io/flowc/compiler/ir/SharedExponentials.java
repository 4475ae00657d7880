package io.flowc.compiler.ir;

import java.util.HashMap;
import java.util.Map;

/**
 * Writes out sigmoid, softplus and logaddexp wherever two or more of them take exp(-|x|) of the
 * same |x|, so that the exponential is computed once for all of them. Each is the runtime's
 * function ({@code MathFunctions}) operation for operation, so the values are the same bits:
 *
 * <ul>
 *   <li>sigmoid(x) = (x >= 0 ? 1 : e) / (1 + e),
 *   <li>softplus(x) = max(x, 0) + log1p(e),
 *   <li>logaddexp(a, b) = m if |m| is infinite, else m + log1p(e), with m = max(a, b) and x = a - b,
 * </ul>
 *
 * where e = exp(-|x|), and |x| is the same for x, -x, a - b and b - a. A gradient pairs them: a
 * logistic likelihood's softplus(x) with its derivative sigmoid(x), logaddexp(a, b) (pot1's
 * mixture) with sigmoid(a - b) and sigmoid(b - a), three exponentials where one does. The pass
 * runs on a function just before it is scheduled: a simplifying graph would fold log1p(exp(u))
 * back into softplus.
 */
public final class SharedExponentials {
  private SharedExponentials() {}

  /** {@code f} with the functions that share an exponential written out (f itself if none do). */
  public static IrFunction apply(IrFunction f) {
    Map<Magnitude, Integer> users = new HashMap<>();
    for (Node n : f.liveNodes()) {
      Magnitude m = magnitude(n);
      if (m != null) {
        users.merge(m, 1, Integer::sum);
      }
    }
    users.values().removeIf(count -> count < 2);
    if (users.isEmpty()) {
      return f;
    }
    Graph g = new Graph(false);
    Map<Magnitude, Node> exponentials = new HashMap<>();
    return Graphs.rebuild(f, g, (n, args) -> {
      Magnitude m = magnitude(n);
      if (m == null || !users.containsKey(m)) {
        return null;
      }
      Node x = n.op() == Op.LOGADDEXP ? g.sub(args[0], args[1]) : args[0];
      Node e = exponentials.computeIfAbsent(m, k -> g.exp(g.neg(g.apply(Op.ABS, x))));
      return switch (n.op()) {
        case SIGMOID -> g.div(g.select(g.apply(Op.GE, x, g.constant(0)), g.constant(1), e), g.add(g.constant(1), e));
        case SOFTPLUS -> g.add(g.apply(Op.MAX, x, g.constant(0)), g.apply(Op.LOG1P, e));
        case LOGADDEXP -> {
          Node max = g.apply(Op.MAX, args[0], args[1]);
          Node infinite = g.apply(Op.GT, g.apply(Op.ABS, max), g.constant(Double.MAX_VALUE));
          yield g.select(infinite, max, g.add(max, g.apply(Op.LOG1P, e)));
        }
        default -> throw new IllegalStateException(n.toString());
      };
    });
  }

  /**
   * What |x| a node takes the exponential of: a node (x and -x alike), or an unordered pair
   * (a - b and b - a alike, subtraction rounding both to the same magnitude).
   */
  private record Magnitude(int first, int second) {}

  private static Magnitude magnitude(Node n) {
    return switch (n.op()) {
      case SIGMOID, SOFTPLUS -> magnitudeOf(n.arg(0));
      case LOGADDEXP -> n.arg(0).shape().equals(n.arg(1).shape()) ? pair(n.arg(0), n.arg(1)) : null;
      default -> null;
    };
  }

  private static Magnitude magnitudeOf(Node x) {
    Node y = x.op() == Op.NEG ? x.arg(0) : x;
    if (y.op() == Op.SUB && y.arg(0).shape().equals(y.arg(1).shape())) {
      return pair(y.arg(0), y.arg(1));
    }
    return new Magnitude(y.id(), -1);
  }

  private static Magnitude pair(Node a, Node b) {
    return new Magnitude(Math.min(a.id(), b.id()), Math.max(a.id(), b.id()));
  }
}
