package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The simplifier ({@link Rewrites}, applied by a {@code Graph(true)}): each rewrite its javadoc
 * lists as applied fires and, where it is called exact, gives bitwise the results of the
 * unrewritten form on special values; the ones it lists as not applied are not; integer powers
 * become squarings and products within a few ulps of {@link Math#pow}; random models evaluate
 * alike before and after rewriting; {@link Graphs#rebuild} drops dead nodes.
 */
class SimplifierTest {
  /** Inputs x, y (scalars) and v (a vector of 3), slots 0, 1, 2. */
  private static final Shape V = Shape.vector(3);

  private interface Expr extends BiFunction<Graph, Node[], Node> {}

  /** out = e(x, y, v) in a graph that simplifies or not; inputs x, y, v always declared. */
  static IrFunction function(boolean simplify, Expr e) {
    Graph g = new Graph(simplify);
    Node[] in = {g.input("x", 0, Shape.SCALAR), g.input("y", 1, Shape.SCALAR), g.input("v", 2, V)};
    return IrVerifier.verify(new IrFunction(g, List.of(in), List.of(new IrFunction.Output("out", e.apply(g, in)))));
  }

  /** The simplified IR, as the printer writes it. */
  static String simplified(Expr e) {
    return IrPrinter.print(function(true, e));
  }

  private static final double[] SPECIALS = {
    0.0, -0.0, 1, -1, 2.5, -3.75, 0.1, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
    Double.MIN_VALUE, -Double.MIN_NORMAL / 3, Double.MAX_VALUE, -1e300
  };

  /** Points (x, y, v0, v1, v2) from every pair of special values. */
  static List<double[]> specialPoints() {
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < SPECIALS.length; i++) {
      for (int j = 0; j < SPECIALS.length; j++) {
        points.add(new double[] {SPECIALS[i], SPECIALS[j], SPECIALS[j], SPECIALS[i], SPECIALS[(i + j) % SPECIALS.length]});
      }
    }
    return points;
  }

  static boolean sameBits(double a, double b) {
    return Double.compare(a, b) == 0; // NaNs alike, 0 and -0 apart
  }

  /** Both forms of e give bitwise the same values at every special point. */
  static void assertExact(String name, Expr e) {
    IrFunction plain = function(false, e);
    IrFunction simple = function(true, e);
    for (double[] z : specialPoints()) {
      double[] a = IrEvaluator.evaluate(plain, z).get("out");
      double[] b = IrEvaluator.evaluate(simple, z).get("out");
      for (int i = 0; i < a.length; i++) {
        int ii = i;
        assertTrue(sameBits(a[i], b[i]), () -> name + " at (x, y, v) = " + Arrays.toString(z) + ", element " + ii + ": "
            + a[ii] + " unrewritten but " + b[ii] + " rewritten\n" + IrPrinter.print(simple));
      }
    }
  }

  record Rewrite(String name, Expr expr, String expected) {}

  private static String ir(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  private static final String X = "%0 = input x : real";
  private static final String XY = X + "\n%1 = input y : real";

  static List<Rewrite> exactRewrites() {
    List<Rewrite> r = new ArrayList<>();
    // constant folding: the same double operation, done at compile time
    r.add(new Rewrite("2 + 3", (g, in) -> g.add(g.constant(2), g.constant(3)), ir("%0 = const 5 : real", "out = %0")));
    r.add(new Rewrite("0.1 + 0.2", (g, in) -> g.add(g.constant(0.1), g.constant(0.2)),
        ir("%0 = const 0.30000000000000004 : real", "out = %0")));
    r.add(new Rewrite("sin(0.5) * 2", (g, in) -> g.mul(g.sin(g.constant(0.5)), g.constant(2)),
        ir("%0 = const " + Math.sin(0.5) * 2 + " : real", "out = %0")));
    r.add(new Rewrite("log(-1)", (g, in) -> g.log(g.constant(-1)), ir("%0 = const NaN : real", "out = %0")));
    r.add(new Rewrite("-(0)", (g, in) -> g.neg(g.constant(0)), ir("%0 = const -0.0 : real", "out = %0")));
    r.add(new Rewrite("polygamma(1, 2)", (g, in) -> g.polygamma(1, g.constant(2)),
        ir("%0 = const " + io.flowc.runtime.MathFunctions.polygamma(1, 2) + " : real", "out = %0")));
    r.add(new Rewrite("(1 < 2 && !(3 == 3)) ? 4 : 5",
        (g, in) -> g.select(g.apply(Op.AND, g.apply(Op.LT, g.constant(1), g.constant(2)),
            g.apply(Op.NOT, g.apply(Op.EQ, g.constant(3), g.constant(3)))), g.constant(4), g.constant(5)),
        ir("%0 = const 5 : real", "out = %0")));
    r.add(new Rewrite("broadcast(2) * 0.5 (vector constants)", (g, in) -> g.mul(g.broadcast(g.constant(2), 3), g.constant(0.5)),
        ir("%0 = const 1 : real", "%1 = broadcast[3] %0 : real[3]", "out = %1")));
    r.add(new Rewrite("atan2(1, -1) + x", (g, in) -> g.add(g.apply(Op.ATAN2, g.constant(1), g.constant(-1)), in[0]),
        ir(X, "%1 = const " + Math.atan2(1, -1) + " : real", "%2 = add %1, %0 : real", "out = %2")));
    // identities
    r.add(new Rewrite("x * 1", (g, in) -> g.mul(in[0], g.constant(1)), ir(X, "out = %0")));
    r.add(new Rewrite("1 * x", (g, in) -> g.mul(g.constant(1), in[0]), ir(X, "out = %0")));
    r.add(new Rewrite("x / 1", (g, in) -> g.div(in[0], g.constant(1)), ir(X, "out = %0")));
    r.add(new Rewrite("x - 0", (g, in) -> g.sub(in[0], g.constant(0)), ir(X, "out = %0")));
    r.add(new Rewrite("x + (-0)", (g, in) -> g.add(in[0], g.constant(-0.0)), ir(X, "out = %0")));
    r.add(new Rewrite("(-0) + x", (g, in) -> g.add(g.constant(-0.0), in[0]), ir(X, "out = %0")));
    r.add(new Rewrite("x + -(0)", (g, in) -> g.add(in[0], g.neg(g.constant(0))), ir(X, "out = %0")));
    r.add(new Rewrite("x * (-1)", (g, in) -> g.mul(in[0], g.constant(-1)), ir(X, "%1 = neg %0 : real", "out = %1")));
    r.add(new Rewrite("(-1) * x", (g, in) -> g.mul(g.constant(-1), in[0]), ir(X, "%1 = neg %0 : real", "out = %1")));
    r.add(new Rewrite("--x", (g, in) -> g.neg(g.neg(in[0])), ir(X, "out = %0")));
    r.add(new Rewrite("x * (-1) * (-1)", (g, in) -> g.mul(g.mul(in[0], g.constant(-1)), g.constant(-1)), ir(X, "out = %0")));
    r.add(new Rewrite("x + (-y)", (g, in) -> g.add(in[0], g.neg(in[1])), ir(XY, "%2 = sub %0, %1 : real", "out = %2")));
    r.add(new Rewrite("x - (-y)", (g, in) -> g.sub(in[0], g.neg(in[1])), ir(XY, "%2 = add %0, %1 : real", "out = %2")));
    r.add(new Rewrite("(-x) + y", (g, in) -> g.add(g.neg(in[0]), in[1]), ir(XY, "%2 = sub %1, %0 : real", "out = %2")));
    r.add(new Rewrite("(-x) + (-y)", (g, in) -> g.add(g.neg(in[0]), g.neg(in[1])),
        ir(XY, "%2 = neg %0 : real", "%3 = sub %2, %1 : real", "out = %3")));
    r.add(new Rewrite("(-x) * (-y)", (g, in) -> g.mul(g.neg(in[0]), g.neg(in[1])), ir(XY, "%2 = mul %0, %1 : real", "out = %2")));
    r.add(new Rewrite("square(-x)", (g, in) -> g.square(g.neg(in[0])), ir(X, "%1 = square %0 : real", "out = %1")));
    r.add(new Rewrite("(-x)^2", (g, in) -> g.pow(g.neg(in[0]), g.constant(2)), ir(X, "%1 = square %0 : real", "out = %1")));
    r.add(new Rewrite("x^1", (g, in) -> g.pow(in[0], g.constant(1)), ir(X, "out = %0")));
    r.add(new Rewrite("x^0", (g, in) -> g.pow(in[0], g.constant(0)), ir("%0 = const 1 : real", "out = %0")));
    r.add(new Rewrite("x^(-0)", (g, in) -> g.pow(in[0], g.constant(-0.0)), ir("%0 = const 1 : real", "out = %0")));
    r.add(new Rewrite("1 ? x : y", (g, in) -> g.select(g.constant(1), in[0], in[1]), ir(X, "out = %0")));
    r.add(new Rewrite("-2 ? x : y", (g, in) -> g.select(g.constant(-2), in[0], in[1]), ir(X, "out = %0")));
    r.add(new Rewrite("NaN ? x : y", (g, in) -> g.select(g.constant(Double.NaN), in[0], in[1]), ir(X, "out = %0")));
    r.add(new Rewrite("0 ? x : y", (g, in) -> g.select(g.constant(0), in[0], in[1]), ir("%0 = input y : real", "out = %0")));
    r.add(new Rewrite("-0 ? x : y", (g, in) -> g.select(g.constant(-0.0), in[0], in[1]), ir("%0 = input y : real", "out = %0")));
    r.add(new Rewrite("(2 < 1) ? x : y", (g, in) -> g.select(g.apply(Op.LT, g.constant(2), g.constant(1)), in[0], in[1]),
        ir("%0 = input y : real", "out = %0")));
    r.add(new Rewrite("(x < y) ? sin(x) : sin(x)", (g, in) -> g.select(g.apply(Op.LT, in[0], in[1]), g.sin(in[0]), g.sin(in[0])),
        ir(X, "%1 = sin %0 : real", "out = %1")));
    // on vectors, with broadcast constants
    String v = "%0 = input v : real[3]";
    r.add(new Rewrite("v * 1", (g, in) -> g.mul(in[2], g.constant(1)), ir(v, "out = %0")));
    r.add(new Rewrite("v - 0", (g, in) -> g.sub(in[2], g.constant(0)), ir(v, "out = %0")));
    r.add(new Rewrite("v * (-1)", (g, in) -> g.mul(in[2], g.constant(-1)), ir(v, "%1 = neg %0 : real[3]", "out = %1")));
    r.add(new Rewrite("v^0", (g, in) -> g.pow(in[2], g.constant(0)), ir("%0 = const 1 : real", "%1 = broadcast[3] %0 : real[3]", "out = %1")));
    r.add(new Rewrite("1 ? v : x", (g, in) -> g.select(g.constant(1), in[2], in[0]), ir(v, "out = %0")));
    return r;
  }

  @TestFactory
  Stream<DynamicTest> eachExactRewriteFiresAndKeepsEveryResultBitForBit() {
    return exactRewrites().stream().map(rw -> DynamicTest.dynamicTest(rw.name(), () -> {
      assertEquals(rw.expected(), simplified(rw.expr()), () -> rw.name() + " simplified");
      assertExact(rw.name(), rw.expr());
    }));
  }

  @Test
  void aGraphThatDoesNotSimplifyKeepsTheIrAsBuilt() {
    IrFunction f = function(false, (g, in) -> g.mul(g.neg(g.neg(in[0])), g.add(g.constant(2), g.constant(3))));
    assertEquals(ir(X, "%1 = neg %0 : real", "%2 = neg %1 : real", "%3 = const 2 : real", "%4 = const 3 : real",
        "%5 = add %3, %4 : real", "%6 = mul %2, %5 : real", "out = %6"), IrPrinter.print(f));
  }

  @Test
  void rewritesReturnExistingNodes() {
    Graph g = new Graph(true);
    Node x = g.input("x", 0, Shape.SCALAR);
    Node y = g.input("y", 1, Shape.SCALAR);
    assertSame(x, g.mul(x, g.constant(1)));
    assertSame(x, g.neg(g.neg(x)));
    Node sum = g.add(x, y);
    assertSame(sum, g.sub(x, g.neg(y)));
    Node size = g.sin(sum);
    int before = g.size();
    assertSame(size, g.sin(g.add(x, g.mul(y, g.constant(1)))));
    assertEquals(before + 0, g.size(), "nothing new made for an expression already there");
  }

  // ---- what is not applied, and why -----------------------------------------------------------

  record Kept(String name, Expr expr, Op op, double[] witness, double expected) {}

  static List<Kept> notApplied() {
    double two53 = 0x1p53;
    return List.of(
        // x + 0 = x fails for x = -0: -0 + 0 is +0
        new Kept("x + 0", (g, in) -> g.add(in[0], g.constant(0)), Op.ADD, new double[] {-0.0, 0, 0, 0, 0}, 0.0),
        new Kept("0 + x", (g, in) -> g.add(g.constant(0), in[0]), Op.ADD, new double[] {-0.0, 0, 0, 0, 0}, 0.0),
        // x - (-0) is x + 0
        new Kept("x - (-0)", (g, in) -> g.sub(in[0], g.constant(-0.0)), Op.SUB, new double[] {-0.0, 0, 0, 0, 0}, 0.0),
        // 0 - x = -x fails for x = 0
        new Kept("0 - x", (g, in) -> g.sub(g.constant(0), in[0]), Op.SUB, new double[] {0.0, 0, 0, 0, 0}, 0.0),
        // x * 0 = 0 fails for infinite and NaN x, and gives +0 for negative x
        new Kept("x * 0", (g, in) -> g.mul(in[0], g.constant(0)), Op.MUL, new double[] {Double.POSITIVE_INFINITY, 0, 0, 0, 0}, Double.NaN),
        new Kept("0 * x", (g, in) -> g.mul(g.constant(0), in[0]), Op.MUL, new double[] {-2, 0, 0, 0, 0}, -0.0),
        new Kept("x - x", (g, in) -> g.sub(in[0], in[0]), Op.SUB, new double[] {Double.NEGATIVE_INFINITY, 0, 0, 0, 0}, Double.NaN),
        new Kept("x / x", (g, in) -> g.div(in[0], in[0]), Op.DIV, new double[] {0.0, 0, 0, 0, 0}, Double.NaN),
        // reassociation: (x + 1) + 1 is not x + 2 at 2^53
        new Kept("(x + 1) + 1", (g, in) -> g.add(g.add(in[0], g.constant(1)), g.constant(1)), Op.ADD,
            new double[] {two53, 0, 0, 0, 0}, two53),
        new Kept("(x * 0.1) * 10", (g, in) -> g.mul(g.mul(in[0], g.constant(0.1)), g.constant(10)), Op.MUL,
            new double[] {3, 0, 0, 0, 0}, 3 * 0.1 * 10),
        new Kept("(x + y) - y", (g, in) -> g.sub(g.add(in[0], in[1]), in[1]), Op.SUB, new double[] {1, 1e17, 0, 0, 0}, 0.0),
        // sum(broadcast(c, n)) is not n * c: the evaluator adds n times
        new Kept("sum(broadcast(0.1, 3))", (g, in) -> g.sum(g.broadcast(g.constant(0.1), 3)), Op.SUM,
            new double[] {0, 0, 0, 0, 0}, 0.1 + 0.1 + 0.1),
        new Kept("sum(broadcast(x, 3))", (g, in) -> g.sum(g.broadcast(in[0], 3)), Op.SUM,
            new double[] {0.1, 0, 0, 0, 0}, 0.1 + 0.1 + 0.1),
        new Kept("v * 0", (g, in) -> g.sum(g.mul(in[2], g.constant(0))), Op.SUM,
            new double[] {0, 0, 1, Double.NaN, 2}, Double.NaN));
  }

  @TestFactory
  Stream<DynamicTest> rewritesThatAreNotExactAreNotApplied() {
    return notApplied().stream().map(k -> DynamicTest.dynamicTest(k.name(), () -> {
      IrFunction simple = function(true, k.expr());
      Node out = simple.output("out");
      assertEquals(k.op(), out.op(), () -> k.name() + " was rewritten:\n" + IrPrinter.print(simple));
      assertEquals(IrPrinter.print(function(false, k.expr())), IrPrinter.print(simple), k.name() + " is left as built");
      double got = IrEvaluator.evaluate(simple, k.witness()).get("out")[0];
      assertTrue(sameBits(k.expected(), got), () -> k.name() + " at " + Arrays.toString(k.witness()) + " = " + got + ", IEEE gives " + k.expected());
      assertExact(k.name(), k.expr());
    }));
  }

  // ---- integer powers -------------------------------------------------------------------------

  @Test
  void integerPowersBecomeSquaringsAndProducts() {
    for (int k = -Rewrites.MAX_INTEGER_POWER; k <= Rewrites.MAX_INTEGER_POWER; k++) {
      int kk = k;
      for (boolean vector : new boolean[] {false, true}) {
        IrFunction f = function(true, (g, in) -> g.pow(vector ? in[2] : in[0], g.constant(kk)));
        String text = IrPrinter.print(f);
        Map<Op, Integer> count = new LinkedHashMap<>();
        for (Node n : f.liveNodes()) {
          count.merge(n.op(), 1, Integer::sum);
        }
        assertFalse(count.containsKey(Op.POW), () -> "x^" + kk + " keeps a pow:\n" + text);
        Set<Op> allowed = EnumSet.of(Op.INPUT, Op.CONST, Op.BROADCAST, Op.SQUARE, Op.MUL, Op.DIV);
        assertTrue(allowed.containsAll(count.keySet()), () -> "x^" + kk + ":\n" + text);
        int n = Math.abs(k);
        int squarings = n == 0 ? 0 : 31 - Integer.numberOfLeadingZeros(n);
        int products = n == 0 ? 0 : Integer.bitCount(n) - 1;
        assertEquals(squarings, count.getOrDefault(Op.SQUARE, 0), () -> "squarings in x^" + kk + ":\n" + text);
        assertEquals(products, count.getOrDefault(Op.MUL, 0), () -> "products in x^" + kk + ":\n" + text);
        assertEquals(k < 0 ? 1 : 0, count.getOrDefault(Op.DIV, 0), () -> "divisions in x^" + kk + ":\n" + text);
      }
    }
  }

  /**
   * The error bound of repeated squaring: each squaring or product rounds once (relative error
   * at most u = 2^-53) and a squaring doubles the error so far, so x^|k| is within (|k| - 1) u
   * relative, and 1/x^|k| within |k| u: under |k| ulps. Math.pow adds up to one more. (The
   * worst seen here is 10 ulps, at k = -15 and k = 16; "a few ulps" holds for small |k|.)
   */
  private static double powerUlps(int k) {
    return Math.max(1, Math.abs(k)) + 1;
  }

  @Test
  void integerPowersMatchMathPowWithinAFewUlps() {
    SplittableRandom rnd = new SplittableRandom(20240611);
    for (int k = -Rewrites.MAX_INTEGER_POWER; k <= Rewrites.MAX_INTEGER_POWER; k++) {
      int kk = k;
      IrFunction f = function(true, (g, in) -> g.pow(in[0], g.constant(kk)));
      IrFunction v = function(true, (g, in) -> g.pow(in[2], g.constant(kk)));
      for (int i = 0; i < 2000; i++) {
        // |x| log-uniform in [1e-4, 1e4] (so that x^k stays a normal double), either sign
        double x = (rnd.nextBoolean() ? 1 : -1) * Math.pow(10, -4 + 8 * rnd.nextDouble());
        double got = IrEvaluator.evaluate(f, new double[] {x, 0, 0, 0, 0}).get("out")[0];
        double want = Math.pow(x, k);
        double ulps = Math.abs(got - want) / Math.ulp(want);
        assertTrue(ulps <= powerUlps(k), () -> "x^" + kk + " at x = " + x + ": " + got + ", Math.pow gives " + want
            + " (" + ulps + " ulps)");
        double[] vector = IrEvaluator.evaluate(v, new double[] {0, 0, x, -x, 1 / x}).get("out");
        assertEquals(got, vector[0], 0.0, "elementwise on a vector as on a scalar");
        assertEquals(Math.pow(-x, k), vector[1], powerUlps(k) * Math.ulp(Math.pow(-x, k)), () -> "(-x)^" + kk);
      }
      for (double x : SPECIALS) {
        boolean extreme = Math.abs(x) < 1e-4 || Math.abs(x) > 1e4;
        if (!extreme || Double.isInfinite(x) || x == 0 || Double.isNaN(x)) {
          double got = IrEvaluator.evaluate(f, new double[] {x, 0, 0, 0, 0}).get("out")[0];
          double want = Math.pow(x, k);
          assertTrue(sameBits(want, got) || Math.abs(got - want) <= powerUlps(k) * Math.ulp(want),
              () -> "x^" + kk + " at x = " + x + ": " + got + ", Math.pow gives " + want);
        }
      }
    }
  }

  @Test
  void powersThatAreNotSmallIntegersStayPow() {
    for (double k : new double[] {2.5, -0.5, 17, -17, 1e300, Double.POSITIVE_INFINITY, Double.NaN}) {
      IrFunction f = function(true, (g, in) -> g.pow(in[0], g.constant(k)));
      assertEquals(Op.POW, f.output("out").op(), () -> "x^" + k);
    }
    assertEquals(Op.POW, function(true, (g, in) -> g.pow(in[0], in[1])).output("out").op(), "x^y");
    assertEquals(Op.POW, function(true, (g, in) -> g.pow(g.constant(2), in[1])).output("out").op(), "2^y");
  }

  // ---- random models: rewritten and unrewritten graphs agree ----------------------------------

  /** Random expressions over x, y, v from the IR's ops, with the patterns the rewrites look for. */
  static final class ModelGenerator {
    private final SplittableRandom r;
    private final Graph g;
    /** Only ops whose rewrites are all exact (no exp, log, log1p or integer powers). */
    private final boolean exactOnly;
    private final Node[] in;

    ModelGenerator(SplittableRandom r, Graph g, Node[] in, boolean exactOnly) {
      this.r = r;
      this.g = g;
      this.in = in;
      this.exactOnly = exactOnly;
    }

    private static final Op[] UNARY_EXACT = {
      Op.NEG, Op.SIN, Op.COS, Op.ATAN, Op.TANH, Op.SQUARE, Op.ABS, Op.SIGMOID, Op.SOFTPLUS, Op.ERF, Op.ERFC, Op.SQRT, Op.SINH
    };
    private static final Op[] UNARY_MORE = {Op.EXP, Op.LOG, Op.LOG1P, Op.EXPM1};
    private static final Op[] BINARY = {
      Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MIN, Op.MAX, Op.ATAN2, Op.LOGADDEXP
    };
    private static final Op[] COMPARISONS = {Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE};
    private static final double[] CONSTANTS = {0.0, -0.0, 1, -1, 2, 0.5, 3, -2.5, 0.1};

    Node constant() {
      return g.constant(r.nextInt(4) == 0 ? Math.round(r.nextDouble() * 40 - 20) / 4.0 : CONSTANTS[r.nextInt(CONSTANTS.length)]);
    }

    Node scalarLeaf() {
      return switch (r.nextInt(4)) {
        case 0 -> in[0];
        case 1 -> in[1];
        case 2 -> g.index(in[2], r.nextInt(3));
        default -> constant();
      };
    }

    Node vectorLeaf() {
      return switch (r.nextInt(4)) {
        case 0, 1 -> in[2];
        case 2 -> g.concat(scalarLeaf(), scalarLeaf(), scalarLeaf());
        default -> g.broadcast(scalarLeaf(), 3);
      };
    }

    Node any(int depth, boolean vector) {
      return vector ? vector(depth) : scalar(depth);
    }

    /** Same shape as asked, or a scalar to be broadcast. */
    Node operand(int depth, boolean vector) {
      return vector && r.nextInt(3) == 0 ? scalar(depth) : any(depth, vector);
    }

    Node condition(int depth, boolean vector) {
      Node c = g.apply(COMPARISONS[r.nextInt(COMPARISONS.length)], operand(depth, vector), operand(depth, vector));
      return switch (r.nextInt(5)) {
        case 0 -> g.apply(Op.NOT, c);
        case 1 -> g.apply(Op.AND, c, condition(depth - 1, vector));
        case 2 -> g.apply(Op.OR, c, condition(depth - 1, vector));
        case 3 -> constant();
        default -> c;
      };
    }

    Node scalar(int depth) {
      if (depth <= 0 || r.nextInt(6) == 0) {
        return scalarLeaf();
      }
      int pick = r.nextInt(10);
      return switch (pick) {
        case 0 -> g.sum(vector(depth - 1));
        case 1 -> g.apply(Op.LOGSUMEXP, vector(depth - 1));
        case 2 -> g.index(vector(depth - 1), r.nextInt(3));
        default -> elementwise(depth, false);
      };
    }

    Node vector(int depth) {
      if (depth <= 0 || r.nextInt(6) == 0) {
        return vectorLeaf();
      }
      return switch (r.nextInt(10)) {
        case 0 -> g.concat(scalar(depth - 1), g.slice(vector(depth - 1), 1, 2));
        case 1 -> g.slice(g.concat(vector(depth - 1), vector(depth - 1)), r.nextInt(4), 3);
        case 2 -> g.add(g.embed(scalar(depth - 1), r.nextInt(3), 3), vector(depth - 1));
        default -> {
          Node n = elementwise(depth, true);
          yield n.shape().isScalar() ? g.broadcast(n, 3) : n; // all its operands were scalars
        }
      };
    }

    private Node elementwise(int depth, boolean vector) {
      int d = depth - 1;
      int pick = r.nextInt(exactOnly ? 22 : 32);
      return switch (pick) {
        case 0, 1, 2 -> g.apply(UNARY_EXACT[r.nextInt(UNARY_EXACT.length)], any(d, vector));
        case 3, 4, 5, 6 -> g.apply(BINARY[r.nextInt(BINARY.length)], operand(d, vector), operand(d, vector));
        case 7 -> g.select(condition(d, vector), operand(d, vector), operand(d, vector));
        case 8 -> g.select(condition(d, vector), any(d, vector), any(d, vector)); // sometimes equal branches
        // patterns of the exact rewrites (and of the ones not applied)
        case 9 -> g.neg(g.neg(any(d, vector)));
        case 10 -> g.mul(any(d, vector), g.constant(r.nextBoolean() ? 1 : -1));
        case 11 -> g.mul(g.constant(r.nextBoolean() ? 1 : -1), any(d, vector));
        case 12 -> g.add(any(d, vector), g.neg(operand(d, vector)));
        case 13 -> g.sub(any(d, vector), g.neg(operand(d, vector)));
        case 14 -> g.add(g.neg(any(d, vector)), operand(d, vector));
        case 15 -> g.mul(g.neg(any(d, vector)), g.neg(operand(d, vector)));
        case 16 -> g.apply(r.nextBoolean() ? Op.SQUARE : Op.ABS, g.neg(any(d, vector)));
        case 17 -> g.add(any(d, vector), g.constant(r.nextBoolean() ? 0.0 : -0.0));
        case 18 -> g.sub(any(d, vector), g.constant(r.nextBoolean() ? 0.0 : -0.0));
        case 19 -> g.apply(r.nextBoolean() ? Op.MUL : Op.DIV, any(d, vector), g.constant(r.nextBoolean() ? 0.0 : 1));
        case 20 -> {
          Node a = any(d, vector);
          yield g.apply(r.nextBoolean() ? Op.SUB : Op.DIV, a, a);
        }
        // exponents that are inputs, or constants that are not integers but 0 and 1 (x^0 and x^1 are exact)
        case 21 -> g.pow(g.apply(Op.ABS, any(d, vector)), r.nextBoolean() ? in[1]
            : g.constant(new double[] {0, 1, 0.5, -1.5, 2.5}[r.nextInt(5)]));
        // more ops, integer powers and the stability patterns
        case 22, 23 -> g.apply(UNARY_MORE[r.nextInt(UNARY_MORE.length)], any(d, vector));
        case 24, 25 -> g.pow(any(d, vector), g.constant(r.nextInt(2 * Rewrites.MAX_INTEGER_POWER + 3) - Rewrites.MAX_INTEGER_POWER - 1));
        case 26 -> g.log(g.add(g.exp(any(d, vector)), g.exp(operand(d, vector))));
        case 27 -> r.nextBoolean() ? g.log(g.add(g.constant(1), any(d, vector))) : g.log(g.add(any(d, vector), g.constant(1)));
        case 28 -> g.log(g.add(g.constant(1), g.exp(any(d, vector))));
        case 29 -> r.nextBoolean() ? g.sub(g.exp(any(d, vector)), g.constant(1)) : g.add(g.exp(any(d, vector)), g.constant(-1));
        case 30 -> vector ? g.broadcast(g.log(g.sum(g.exp(vector(d)))), 3) : g.log(g.sum(g.exp(vector(d))));
        default -> g.apply(Op.POLYGAMMA, new int[] {r.nextInt(3)}, g.add(g.apply(Op.ABS, any(d, vector)), g.constant(0.5)));
      };
    }
  }

  /** A random model over x, y, v in a graph that keeps the IR as built, with its gradient. */
  static IrFunction randomModel(SplittableRandom r, boolean exactOnly) {
    Graph g = new Graph(false);
    Node[] in = {g.input("x", 0, Shape.SCALAR), g.input("y", 1, Shape.SCALAR), g.input("v", 2, V)};
    Node out = new ModelGenerator(r, g, in, exactOnly).scalar(4 + r.nextInt(3));
    List<IrFunction.Output> outputs = new ArrayList<>();
    outputs.add(new IrFunction.Output("out", out));
    List<Node> gradient = Differentiator.gradient(g, out, List.of(in));
    for (int i = 0; i < in.length; i++) {
      outputs.add(new IrFunction.Output("d" + in[i].name(), gradient.get(i)));
    }
    return IrVerifier.verify(new IrFunction(g, List.of(in), outputs));
  }

  /** The simplified value differentiated in the simplifying graph (as {@code Compilation} does). */
  static IrFunction differentiatedAfterSimplifying(IrFunction model) {
    IrFunction value = Graphs.rebuild(new IrFunction(model.graph(), model.inputs(), model.outputs().subList(0, 1)), new Graph(true));
    Graph g = value.graph();
    List<Node> gradient = Differentiator.gradient(g, value.output("out"), value.inputs());
    List<IrFunction.Output> outputs = new ArrayList<>(value.outputs());
    for (int i = 0; i < gradient.size(); i++) {
      outputs.add(new IrFunction.Output("d" + value.inputs().get(i).name(), gradient.get(i)));
    }
    return IrVerifier.verify(new IrFunction(g, value.inputs(), outputs));
  }

  private static double[] randomPoint(SplittableRandom r, boolean specials) {
    double[] z = new double[5];
    for (int i = 0; i < z.length; i++) {
      z[i] = specials && r.nextInt(4) == 0 ? SPECIALS[r.nextInt(SPECIALS.length)] : 2 * (r.nextDouble() * 2 - 1);
    }
    return z;
  }

  private static final int MODELS = 300;

  /**
   * The value and gradient as built, rebuilt in a simplifying graph, give bitwise the same
   * results. The simplified value differentiated afresh (as {@code Compilation} does) is a
   * different function of the same value: away from kinks it agrees wherever the function as
   * built is finite, up to the sign of zeros (an untaken branch of a select, say, adds a +0 into an adjoint in one
   * and nothing in the other, or 0 times an infinite partial derivative).
   */
  @Test
  void exactRewritesLeaveRandomModelsAndTheirGradientsBitForBit() {
    SplittableRandom r = new SplittableRandom(7);
    int rewritten = 0;
    for (int m = 0; m < MODELS; m++) {
      IrFunction plain = randomModel(r, true);
      IrFunction simple = IrVerifier.verify(Graphs.rebuild(plain, new Graph(true)));
      IrFunction simpleFirst = differentiatedAfterSimplifying(plain);
      if (simple.liveNodes().size() < plain.liveNodes().size()) {
        rewritten++;
      }
      for (int p = 0; p < 12; p++) {
        // special values (0, -0, infinities, NaN) for the rebuilt function; the function
        // differentiated afresh may take the other one-sided derivative at a kink (d|-x|/dx at
        // x = 0 is -1, d|x|/dx is +1), so it is compared at ordinary points only
        boolean specials = p < 8;
        double[] z = randomPoint(r, specials);
        Map<String, double[]> a = IrEvaluator.evaluate(plain, z);
        Map<String, double[]> b = IrEvaluator.evaluate(simple, z);
        Map<String, double[]> c = IrEvaluator.evaluate(simpleFirst, z);
        for (String name : a.keySet()) {
          for (int i = 0; i < a.get(name).length; i++) {
            double x = a.get(name)[i];
            double y = b.get(name)[i];
            double w = c.get(name)[i];
            String where = "model " + m + ", output " + name + "[" + i + "] at " + Arrays.toString(z) + ": " + x + " as built, ";
            assertTrue(sameBits(x, y), () -> where + y + " simplified\nas built:\n" + IrPrinter.print(plain)
                + "simplified:\n" + IrPrinter.print(simple));
            assertTrue(specials || !Double.isFinite(x) || x == w, () -> where + w + " differentiated after simplifying\nas built:\n"
                + IrPrinter.print(plain) + "simplified:\n" + IrPrinter.print(simpleFirst));
          }
        }
      }
    }
    assertTrue(rewritten > MODELS / 2, "the models exercise the rewrites: " + rewritten + " of " + MODELS + " shrank");
  }

  /** Whether every live node of f is finite at z (nothing overflowed or went NaN on the way). */
  static boolean finiteThroughout(IrFunction f, double[] z) {
    List<IrFunction.Output> all = new ArrayList<>();
    for (Node n : f.liveNodes()) {
      all.add(new IrFunction.Output("%" + n.id(), n));
    }
    for (double[] values : IrEvaluator.evaluate(new IrFunction(f.graph(), f.inputs(), all), z).values()) {
      for (double v : values) {
        if (!Double.isFinite(v)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Relative agreement of the approximate rewrites (integer powers, the stable forms) on random
   * models, at points where the model as built computes no infinity or NaN on the way (where it
   * does, the stable forms are meant to differ, and the gradients of rewritten integer powers of
   * overflowing values may meet 0 * infinity where Math.pow's did not).
   */
  private static final double MODEL_TOLERANCE = 1e-9;

  @Test
  void allRewritesLeaveRandomModelsAndTheirGradientsWithinRounding() {
    SplittableRandom r = new SplittableRandom(11);
    int compared = 0;
    int overflowed = 0;
    for (int m = 0; m < MODELS; m++) {
      IrFunction plain = randomModel(r, false);
      IrFunction simple = IrVerifier.verify(Graphs.rebuild(plain, new Graph(true)));
      IrFunction simpleFirst = differentiatedAfterSimplifying(plain);
      for (int p = 0; p < 8; p++) {
        double[] z = randomPoint(r, false);
        if (!finiteThroughout(plain, z)) {
          overflowed++;
          continue;
        }
        Map<String, double[]> a = IrEvaluator.evaluate(plain, z);
        for (IrFunction other : List.of(simple, simpleFirst)) {
          Map<String, double[]> b = IrEvaluator.evaluate(other, z);
          for (String name : a.keySet()) {
            for (int i = 0; i < a.get(name).length; i++) {
              double x = a.get(name)[i];
              double y = b.get(name)[i];
              compared++;
              int ii = i;
              int mm = m;
              assertTrue(Math.abs(x - y) <= MODEL_TOLERANCE * Math.max(1, Math.abs(x)),
                  () -> "model " + mm + ", output " + name + "[" + ii + "] at " + Arrays.toString(z) + ": " + x + " as built, "
                      + y + " simplified" + (other == simpleFirst ? " (differentiated after simplifying)" : "")
                      + "\nas built:\n" + IrPrinter.print(plain) + "simplified:\n" + IrPrinter.print(other));
            }
          }
        }
      }
    }
    assertTrue(compared > MODELS * 8, "values compared: " + compared);
    assertTrue(overflowed < MODELS * 8 / 4, "points skipped for overflow: " + overflowed + " of " + MODELS * 8);
  }

  // ---- dead-node removal ----------------------------------------------------------------------

  @Test
  void rebuildDropsDeadNodesAndKeepsTheLiveOnes() {
    Graph g = new Graph(false);
    Node x = g.input("x", 0, Shape.SCALAR);
    Node y = g.input("y", 1, Shape.SCALAR);
    Node live = g.add(g.sin(x), g.mul(x, y));
    g.mul(g.cos(x), g.constant(3)); // dead
    g.exp(g.add(x, y)); // dead
    IrFunction f = new IrFunction(g, List.of(x, y), List.of(new IrFunction.Output("out", live)));
    int liveCount = f.liveNodes().size();
    assertTrue(g.size() > liveCount, "the graph holds dead nodes");
    for (boolean simplify : new boolean[] {false, true}) {
      IrFunction rebuilt = IrVerifier.verify(Graphs.rebuild(f, new Graph(simplify)));
      assertEquals(liveCount, rebuilt.graph().size(), "only the live nodes are copied");
      assertEquals(liveCount, rebuilt.liveNodes().size());
      assertEquals(IrPrinter.print(f), IrPrinter.print(rebuilt), "the live part is unchanged");
      double[] z = {0.3, -1.2};
      assertEquals(IrEvaluator.evaluate(f, z).get("out")[0], IrEvaluator.evaluate(rebuilt, z).get("out")[0], 0.0);
    }
  }

  @Test
  void rebuildOfRandomModelsKeepsTheirLiveNodes() {
    SplittableRandom r = new SplittableRandom(3);
    for (int m = 0; m < 100; m++) {
      IrFunction model = randomModel(r, false);
      // the differentiator leaves adjoints nobody reads; the value alone has even more dead nodes
      IrFunction value = new IrFunction(model.graph(), model.inputs(), model.outputs().subList(0, 1));
      for (IrFunction f : List.of(model, value)) {
        IrFunction rebuilt = IrVerifier.verify(Graphs.rebuild(f, new Graph(false)));
        Set<Node> kept = new java.util.HashSet<>(f.liveNodes());
        kept.addAll(f.inputs());
        assertEquals(kept.size(), rebuilt.graph().size(), "live nodes and inputs only");
        assertTrue(rebuilt.graph().size() <= f.graph().size());
        assertEquals(IrPrinter.print(f), IrPrinter.print(rebuilt));
      }
      assertTrue(IrVerifier.verify(Graphs.rebuild(value, new Graph(false))).graph().size() < model.graph().size());
    }
  }
}
