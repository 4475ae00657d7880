package io.flowc.compiler.ir;

/**
 * The simplifier's rules, applied to each node as a simplifying {@link Graph} makes it (so they
 * see arguments that are already simplified, and one bottom-up rebuild simplifies a whole DAG).
 *
 * <p>Applied, because they are exact in IEEE-754 arithmetic: constant folding (the same double
 * operation at compile time), {@code x*1}, {@code 1*x}, {@code x/1}, {@code x-0}, {@code x+(-0)},
 * {@code x*(-1) = -x}, {@code --x}, {@code x+(-y) = x-y}, {@code x-(-y) = x+y},
 * {@code (-x)+y = y-x}, {@code (-x)*(-y)}, {@code (-x)^2}, {@code x^1},
 * {@code x^0 = 1}, a select with a constant condition or equal branches.
 *
 * <p>Not applied, because they change some results: {@code x+0 = x} (wrong for x = -0),
 * {@code x*0 = 0} (wrong for infinite and NaN x), {@code x-x = 0} and {@code x/x = 1} (same),
 * reassociation of sums and products (rounding), {@code sum(broadcast(c, n)) = n*c} (rounding),
 * {@code |-x| = |x|} (same value, but the derivative at x = 0 would change sign: with |u|' = +1
 * at u = 0, d|-x|/dx is -1 there).
 *
 * <p>Applied although not exact: integer powers {@code x^k} for |k| <= 16 become products
 * (repeated squaring: within |k| ulps of {@code Math.pow}, and much faster), and the stability
 * rewrites, which trade a formula that overflows or cancels far from the mode for one that
 * does not: {@code log(exp(a)+exp(b))} to logaddexp, {@code log(sum(exp(v)))} to logsumexp,
 * {@code log(1+x)} and {@code log(1-x)} to log1p, {@code log1p(exp(x))} (so {@code log(1+exp(x))}) to softplus,
 * {@code exp(x)-1} to expm1.
 */
final class Rewrites {
  static final int MAX_INTEGER_POWER = 16;

  private Rewrites() {}

  /** A replacement for {@code op(args)}, or null to make the node as it is. */
  static Node rewrite(Graph g, Op op, int[] attrs, Node[] args) {
    Node folded = fold(g, op, attrs, args);
    if (folded != null) {
      return folded;
    }
    return switch (op) {
      case NEG -> args[0].op() == Op.NEG ? args[0].arg(0) : null;
      case ADD -> add(g, args[0], args[1]);
      case SUB -> sub(g, args[0], args[1]);
      case MUL -> mul(g, args[0], args[1]);
      case DIV -> isConst(args[1], 1) ? args[0] : null;
      case POW -> pow(g, args[0], args[1]);
      case SQUARE -> args[0].op() == Op.NEG ? g.square(args[0].arg(0)) : null;
      case LOG -> log(g, args[0]);
      case LOG1P -> args[0].op() == Op.EXP ? g.apply(Op.SOFTPLUS, args[0].arg(0)) : null;
      case SELECT -> select(args);
      default -> null;
    };
  }

  /** The scalar value of a constant or of a broadcast constant, or null. */
  private static Double constantValue(Node n) {
    if (n.op() == Op.CONST) {
      return n.value();
    }
    if (n.op() == Op.BROADCAST && n.arg(0).op() == Op.CONST) {
      return n.arg(0).value();
    }
    return null;
  }

  private static boolean isConst(Node n, double v) {
    Double c = constantValue(n);
    return c != null && Double.compare(c, v) == 0;
  }

  private static Node fold(Graph g, Op op, int[] attrs, Node[] args) {
    if (op.kind != Op.Kind.ELEMENTWISE) {
      return null;
    }
    double[] values = new double[args.length];
    for (int i = 0; i < args.length; i++) {
      Double c = constantValue(args[i]);
      if (c == null) {
        return null;
      }
      values[i] = c;
    }
    double v = switch (args.length) {
      case 1 -> op == Op.POLYGAMMA ? io.flowc.runtime.MathFunctions.polygamma(attrs[0], values[0]) : op.apply1(values[0]);
      case 2 -> op.apply2(values[0], values[1]);
      default -> op.apply3(values[0], values[1], values[2]);
    };
    Node c = g.constant(v);
    return args[0].shape().isScalar() ? c : g.broadcast(c, args[0].shape());
  }

  private static Node add(Graph g, Node a, Node b) {
    if (isConst(b, -0.0)) {
      return a;
    }
    if (isConst(a, -0.0)) {
      return b;
    }
    if (b.op() == Op.NEG) {
      return g.sub(a, b.arg(0));
    }
    if (a.op() == Op.NEG) {
      return g.sub(b, a.arg(0));
    }
    // log(1 + x) is recognised by LOG; exp(x) + (-1) and (-1) + exp(x) are expm1 like exp(x) - 1
    if (a.op() == Op.EXP && isConst(b, -1)) {
      return g.apply(Op.EXPM1, a.arg(0));
    }
    if (b.op() == Op.EXP && isConst(a, -1)) {
      return g.apply(Op.EXPM1, b.arg(0));
    }
    return null;
  }

  private static Node sub(Graph g, Node a, Node b) {
    if (isConst(b, 0.0)) {
      return a;
    }
    if (b.op() == Op.NEG) {
      return g.add(a, b.arg(0));
    }
    if (a.op() == Op.EXP && isConst(b, 1)) {
      return g.apply(Op.EXPM1, a.arg(0));
    }
    return null;
  }

  private static Node mul(Graph g, Node a, Node b) {
    if (isConst(b, 1)) {
      return a;
    }
    if (isConst(a, 1)) {
      return b;
    }
    if (isConst(b, -1)) {
      return g.neg(a);
    }
    if (isConst(a, -1)) {
      return g.neg(b);
    }
    if (a.op() == Op.NEG && b.op() == Op.NEG) {
      return g.mul(a.arg(0), b.arg(0));
    }
    return null;
  }

  private static Node pow(Graph g, Node base, Node exponent) {
    Double k = constantValue(exponent);
    if (k == null || k != Math.rint(k) || Math.abs(k) > MAX_INTEGER_POWER) {
      return null;
    }
    int n = (int) Math.abs(k);
    if (n == 0) {
      return ones(g, base); // Math.pow(x, 0) is 1 for every x, NaN included
    }
    Node positive = integerPower(g, base, n);
    return k > 0 ? positive : g.div(ones(g, base), positive);
  }

  private static Node ones(Graph g, Node like) {
    Node one = g.constant(1);
    return like.shape().isScalar() ? one : g.broadcast(one, like.shape());
  }

  /** x^n by repeated squaring: x^2 is square(x), x^5 is square(square(x)) * x. */
  private static Node integerPower(Graph g, Node x, int n) {
    if (n == 1) {
      return x;
    }
    Node half = integerPower(g, x, n / 2);
    Node squared = g.square(half);
    return n % 2 == 0 ? squared : g.mul(squared, x);
  }

  private static Node log(Graph g, Node a) {
    if (a.op() == Op.ADD) {
      Node l = a.arg(0);
      Node r = a.arg(1);
      if (l.op() == Op.EXP && r.op() == Op.EXP) {
        return g.apply(Op.LOGADDEXP, l.arg(0), r.arg(0));
      }
      if (isConst(l, 1)) {
        return g.apply(Op.LOG1P, r);
      }
      if (isConst(r, 1)) {
        return g.apply(Op.LOG1P, l);
      }
    }
    if (a.op() == Op.SUB && isConst(a.arg(0), 1)) {
      return g.apply(Op.LOG1P, g.neg(a.arg(1))); // log(1 - x)
    }
    if (a.op() == Op.SUM && !Graph.inOrder(a) && a.arg(0).op() == Op.EXP) {
      return g.apply(Op.LOGSUMEXP, a.arg(0).arg(0));
    }
    return null;
  }

  private static Node select(Node[] args) {
    if (args[1] == args[2]) {
      return args[1];
    }
    Double c = constantValue(args[0]);
    if (c != null) {
      return c != 0 ? args[1] : args[2];
    }
    return null;
  }
}
