package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every op owns an evaluator and a derivative rule, and the rule is right: for each op, over a
 * domain chosen for it and for scalar, vector and broadcast arguments, the reverse-mode gradient
 * of {@code sum(c * op(x))} (c a random cotangent) matches a central finite difference in every
 * element, and the dot-product identity {@code <t, VJP(c)> = <JVP(t), c>} holds with JVP(t) a
 * central difference of the op's output along a random tangent t. Each case runs in a graph that
 * keeps the IR as built and in one that simplifies it. Points, cotangents and tangents come from
 * RNGs seeded by the case's name.
 */
class OpRulesTest {
  private static final int POINTS = 10;
  /** Step of the finite differences (arguments are O(1) to O(10) in every domain below). */
  private static final double H = 1e-3;
  private static final double TOLERANCE = 1e-8;

  // ---- the table ------------------------------------------------------------------------------

  /** Draws one element of an argument. */
  @FunctionalInterface
  interface Domain {
    double draw(SplittableRandom r);
  }

  static Domain uniform(double lo, double hi) {
    return r -> lo + (hi - lo) * r.nextDouble();
  }

  /** Magnitude in [lo, hi], either sign. */
  static Domain signed(double lo, double hi) {
    return r -> (r.nextBoolean() ? 1 : -1) * (lo + (hi - lo) * r.nextDouble());
  }

  static Domain oneOf(double... values) {
    return r -> values[r.nextInt(values.length)];
  }

  static Domain either(Domain a, Domain b) {
    return r -> r.nextBoolean() ? a.draw(r) : b.draw(r);
  }

  /** Negative non-integers in (-maxK, 0), at least {@code margin} from the poles. */
  static Domain negativeNonInteger(int maxK, double margin) {
    return r -> -(1 + r.nextInt(maxK)) + margin + (1 - 2 * margin) * r.nextDouble();
  }

  /**
   * An argument: its shape, where its elements are drawn, and whether the op is smooth in it at
   * such points ({@code false}: piecewise constant, so its gradient must be exactly zero and it
   * is neither perturbed by the finite differences nor moved by the tangent).
   */
  record Arg(Shape shape, Domain domain, boolean smooth) {}

  /** Builds the node under test from the argument nodes. */
  @FunctionalInterface
  interface Builder {
    Node build(Graph g, Node[] args);
  }

  /**
   * One row: the op it covers, a label, the arguments, how the node is built, which element
   * tuples (one value per argument, scalars repeated) are accepted as points, and the tolerance.
   */
  record OpSpec(Op op, String label, List<Arg> args, Builder builder, Predicate<double[]> accept, double tolerance) {
    @Override
    public String toString() {
      return label;
    }
  }

  private static final Predicate<double[]> ANY = t -> true;
  /** Data for the DATA, GATHER and SCATTER rows: three reals, then indices [2, 0, 1] and, with repeats, [1, 1, 0, 2]. */
  private static final double[] DATA_VALUES = {2.5, -1.5, 0.75, 2, 0, 1, 1, 1, 0, 2};
  private static final Domain REAL = uniform(-3, 3);
  private static final Domain TRUTH = oneOf(0, 1);

  static List<OpSpec> table() {
    List<OpSpec> t = new ArrayList<>();
    // leaves: an input is the identity, a constant has zero derivative
    t.add(new OpSpec(Op.INPUT, "INPUT(real)", List.of(new Arg(Shape.SCALAR, REAL, true)), (g, a) -> a[0], ANY, TOLERANCE));
    t.add(new OpSpec(Op.INPUT, "INPUT(real[3])", List.of(new Arg(Shape.vector(3), REAL, true)), (g, a) -> a[0], ANY, TOLERANCE));
    t.add(new OpSpec(Op.CONST, "CONST", List.of(new Arg(Shape.SCALAR, REAL, true)), (g, a) -> g.constant(2.5), ANY, TOLERANCE));
    // data: a value without derivative, read from the data region (DATA_VALUES here)
    t.add(new OpSpec(Op.DATA, "DATA", List.of(new Arg(Shape.vector(3), REAL, true)),
        (g, a) -> g.mul(a[0], g.data("d", 0, Shape.vector(3))), ANY, TOLERANCE));

    elementwise(t, Op.NEG, REAL);
    elementwise(t, Op.SIN, uniform(-6, 6));
    elementwise(t, Op.COS, uniform(-6, 6));
    elementwise(t, Op.TAN, uniform(-1.3, 1.3));
    elementwise(t, Op.ASIN, uniform(-0.95, 0.95));
    elementwise(t, Op.ACOS, uniform(-0.95, 0.95));
    elementwise(t, Op.ATAN, uniform(-5, 5));
    elementwise(t, Op.SINH, uniform(-4, 4));
    elementwise(t, Op.COSH, uniform(-4, 4));
    elementwise(t, Op.TANH, uniform(-4, 4));
    elementwise(t, Op.EXP, uniform(-5, 5));
    elementwise(t, Op.EXPM1, uniform(-5, 5));
    elementwise(t, Op.LOG, uniform(0.1, 10));
    elementwise(t, Op.LOG1P, uniform(-0.9, 10));
    elementwise(t, Op.SQRT, uniform(0.1, 10));
    elementwise(t, Op.SQUARE, REAL);
    elementwise(t, Op.ABS, signed(0.05, 3));
    elementwise(t, Op.SIGMOID, uniform(-8, 8));
    elementwise(t, Op.LOGIT, uniform(0.05, 0.95));
    elementwise(t, Op.SOFTPLUS, uniform(-8, 8));
    elementwise(t, Op.ERF, REAL);
    elementwise(t, Op.ERFC, REAL);
    elementwise(t, Op.LGAMMA, either(uniform(0.1, 8), negativeNonInteger(4, 0.1)));
    for (int order = 0; order <= 3; order++) {
      int n = order;
      Domain d = either(uniform(0.2, 8), negativeNonInteger(3, 0.2));
      for (Shape s : List.of(Shape.SCALAR, Shape.vector(3))) {
        t.add(new OpSpec(Op.POLYGAMMA, "POLYGAMMA[" + n + "](" + s + ")", List.of(new Arg(s, d, true)),
            (g, a) -> g.polygamma(n, a[0]), ANY, TOLERANCE));
      }
    }
    elementwise(t, Op.NOT, false, ANY, TRUTH);

    elementwise(t, Op.ADD, REAL, REAL);
    elementwise(t, Op.SUB, REAL, REAL);
    elementwise(t, Op.MUL, REAL, REAL);
    elementwise(t, Op.DIV, REAL, signed(0.5, 3));
    elementwise(t, Op.POW, uniform(0.2, 3), uniform(-2.5, 2.5));
    // the origin and the branch cut along the negative x axis are out of the domain
    elementwise(t, Op.ATAN2, true, x -> Math.hypot(x[0], x[1]) > 0.3 && !(x[1] < 0 && Math.abs(x[0]) < 0.3), REAL, REAL);
    // away from ties (the kinks are tested on their own below)
    elementwise(t, Op.MIN, true, x -> Math.abs(x[0] - x[1]) > 0.05, REAL, REAL);
    elementwise(t, Op.MAX, true, x -> Math.abs(x[0] - x[1]) > 0.05, REAL, REAL);
    elementwise(t, Op.LOGADDEXP, uniform(-6, 6), uniform(-6, 6));
    Domain ties = oneOf(-1, 0, 0.5, 2);
    for (Op op : List.of(Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE)) {
      elementwise(t, op, false, ANY, ties, ties);
    }
    elementwise(t, Op.AND, false, ANY, TRUTH, TRUTH);
    elementwise(t, Op.OR, false, ANY, TRUTH, TRUTH);
    elementwise(t, Op.SELECT, true, ANY, TRUTH, REAL, REAL);

    // the same input in both places, and constant operands (their adjoints are skipped)
    Domain positive = uniform(0.2, 3);
    diagonal(t, Op.ADD, REAL);
    diagonal(t, Op.SUB, REAL);
    diagonal(t, Op.MUL, REAL);
    diagonal(t, Op.DIV, signed(0.5, 3));
    diagonal(t, Op.POW, positive);
    diagonal(t, Op.ATAN2, signed(0.5, 3));
    diagonal(t, Op.MIN, REAL);
    diagonal(t, Op.MAX, REAL);
    diagonal(t, Op.LOGADDEXP, REAL);
    for (Shape s : List.of(Shape.SCALAR, Shape.vector(3))) {
      List<Arg> one = List.of(new Arg(s, REAL, true));
      List<Arg> onePositive = List.of(new Arg(s, positive, true));
      t.add(new OpSpec(Op.POW, "POW(" + s + ", 3)", one, (g, a) -> g.pow(a[0], g.constant(3)), ANY, TOLERANCE));
      t.add(new OpSpec(Op.POW, "POW(" + s + ", -2)", List.of(new Arg(s, signed(0.5, 3), true)),
          (g, a) -> g.pow(a[0], g.constant(-2)), ANY, TOLERANCE));
      t.add(new OpSpec(Op.POW, "POW(" + s + ", 0.5)", onePositive, (g, a) -> g.pow(a[0], g.constant(0.5)), ANY, TOLERANCE));
      t.add(new OpSpec(Op.POW, "POW(2.5, " + s + ")", one, (g, a) -> g.pow(g.constant(2.5), a[0]), ANY, TOLERANCE));
      t.add(new OpSpec(Op.DIV, "DIV(" + s + ", 2.5)", one, (g, a) -> g.div(a[0], g.constant(2.5)), ANY, TOLERANCE));
      t.add(new OpSpec(Op.DIV, "DIV(2.5, " + s + ")", List.of(new Arg(s, signed(0.5, 3), true)),
          (g, a) -> g.div(g.constant(2.5), a[0]), ANY, TOLERANCE));
      t.add(new OpSpec(Op.MUL, "MUL(" + s + ", 2.5)", one, (g, a) -> g.mul(a[0], g.constant(2.5)), ANY, TOLERANCE));
    }

    // reductions and structure
    for (int n : new int[] {1, 4}) {
      t.add(structural(Op.SUM, "SUM(real[" + n + "])", (g, a) -> g.sum(a[0]), new Arg(Shape.vector(n), REAL, true)));
      t.add(structural(Op.LOGSUMEXP, "LOGSUMEXP(real[" + n + "])", (g, a) -> g.apply(Op.LOGSUMEXP, a[0]),
          new Arg(Shape.vector(n), uniform(-6, 6), true)));
    }
    t.add(structural(Op.LOGSUMEXP, "LOGSUMEXP(real[4] near 800)", (g, a) -> g.apply(Op.LOGSUMEXP, a[0]),
        new Arg(Shape.vector(4), uniform(795, 805), true)));
    for (int i : new int[] {0, 2, 3}) {
      t.add(structural(Op.INDEX, "INDEX[" + i + "](real[4])", (g, a) -> g.index(a[0], i), new Arg(Shape.vector(4), REAL, true)));
    }
    t.add(structural(Op.SLICE, "SLICE[1,3](real[5])", (g, a) -> g.slice(a[0], 1, 3), new Arg(Shape.vector(5), REAL, true)));
    t.add(structural(Op.SLICE, "SLICE[0,5](real[5])", (g, a) -> g.slice(a[0], 0, 5), new Arg(Shape.vector(5), REAL, true)));
    t.add(structural(Op.SLICE, "SLICE[4,1](real[5])", (g, a) -> g.slice(a[0], 4, 1), new Arg(Shape.vector(5), REAL, true)));
    t.add(structural(Op.EMBED, "EMBED[2,4](real)", (g, a) -> g.embed(a[0], 2, 4), new Arg(Shape.SCALAR, REAL, true)));
    t.add(structural(Op.EMBED, "EMBED[1,5](real[2])", (g, a) -> g.embed(a[0], 1, 5), new Arg(Shape.vector(2), REAL, true)));
    t.add(structural(Op.EMBED, "EMBED[0,3](real[3])", (g, a) -> g.embed(a[0], 0, 3), new Arg(Shape.vector(3), REAL, true)));
    t.add(structural(Op.BROADCAST, "BROADCAST[3](real)", (g, a) -> g.broadcast(a[0], 3), new Arg(Shape.SCALAR, REAL, true)));
    t.add(structural(Op.BROADCAST, "BROADCAST[1](real)", (g, a) -> g.broadcast(a[0], 1), new Arg(Shape.SCALAR, REAL, true)));
    t.add(structural(Op.CONCAT, "CONCAT(real, real[2], real)", (g, a) -> g.concat(a),
        new Arg(Shape.SCALAR, REAL, true), new Arg(Shape.vector(2), REAL, true), new Arg(Shape.SCALAR, REAL, true)));
    t.add(structural(Op.CONCAT, "CONCAT(real[3])", (g, a) -> g.concat(a), new Arg(Shape.vector(3), REAL, true)));
    t.add(structural(Op.CONCAT, "CONCAT(x, 1.5, x) of real[2]", (g, a) -> g.concat(a[0], g.constant(1.5), a[0]),
        new Arg(Shape.vector(2), REAL, true)));
    // indexing with data integers: a permutation, repeats (the adjoint accumulates), a shift, a scalar index
    t.add(structural(Op.GATHER, "GATHER(real[3]) by [2,0,1]",
        (g, a) -> g.gather(a[0], g.data("idx", 3, Shape.vector(3)), 0), new Arg(Shape.vector(3), REAL, true)));
    t.add(structural(Op.GATHER, "GATHER(real[3]) by [1,1,0,2]",
        (g, a) -> g.gather(a[0], g.data("rep", 6, Shape.vector(4)), 0), new Arg(Shape.vector(3), REAL, true)));
    t.add(structural(Op.GATHER, "GATHER(real[4]) by [1,1,0,2] + 1",
        (g, a) -> g.gather(a[0], g.data("rep", 6, Shape.vector(4)), 1), new Arg(Shape.vector(4), REAL, true)));
    t.add(structural(Op.GATHER, "GATHER(real[3]) by 2",
        (g, a) -> g.gather(a[0], g.data("k", 3, Shape.SCALAR), 0), new Arg(Shape.vector(3), REAL, true)));
    t.add(structural(Op.SCATTER, "SCATTER[0,3](real[4]) by [1,1,0,2]",
        (g, a) -> g.scatter(a[0], g.data("rep", 6, Shape.vector(4)), 0, 3), new Arg(Shape.vector(4), REAL, true)));
    matrices(t);
    return t;
  }

  /** Matrices through elementwise ops and sums, and the ops of neural flows. */
  private static void matrices(List<OpSpec> t) {
    Shape m23 = Shape.matrix(2, 3);
    Arg w23 = new Arg(m23, REAL, true);
    Arg scalar = new Arg(Shape.SCALAR, REAL, true);
    t.add(structural(Op.TANH, "TANH(real[2,3])", (g, a) -> g.apply(Op.TANH, a[0]), w23));
    t.add(structural(Op.MUL, "MUL(real[2,3], real)", (g, a) -> g.mul(a[0], a[1]), w23, scalar));
    t.add(structural(Op.SUB, "SUB(real, real[2,3])", (g, a) -> g.sub(a[1], a[0]), w23, scalar));
    t.add(structural(Op.ADD, "ADD(real[2,3], real[2,3])", (g, a) -> g.add(a[0], a[1]), w23, w23));
    t.add(structural(Op.SUM, "SUM(real[2,3])", (g, a) -> g.sum(a[0]), w23));
    t.add(structural(Op.LOGSUMEXP, "LOGSUMEXP(real[2,3])", (g, a) -> g.apply(Op.LOGSUMEXP, a[0]), w23));
    t.add(structural(Op.BROADCAST, "BROADCAST[2,3](real)", (g, a) -> g.broadcast(a[0], m23), scalar));
    for (int[] mn : new int[][] {{3, 2}, {1, 1}, {1, 4}, {4, 1}}) {
      Arg w = new Arg(Shape.matrix(mn[0], mn[1]), REAL, true);
      String dims = mn[0] + "," + mn[1];
      t.add(structural(Op.MATVEC, "MATVEC(real[" + dims + "], real[" + mn[1] + "])", (g, a) -> g.matvec(a[0], a[1]),
          w, new Arg(Shape.vector(mn[1]), REAL, true)));
      t.add(structural(Op.MATVECT, "MATVECT(real[" + dims + "], real[" + mn[0] + "])", (g, a) -> g.matvecT(a[0], a[1]),
          w, new Arg(Shape.vector(mn[0]), REAL, true)));
      t.add(structural(Op.OUTER, "OUTER(real[" + mn[0] + "], real[" + mn[1] + "])", (g, a) -> g.outer(a[0], a[1]),
          new Arg(Shape.vector(mn[0]), REAL, true), new Arg(Shape.vector(mn[1]), REAL, true)));
    }
    Arg v3 = new Arg(Shape.vector(3), REAL, true);
    t.add(structural(Op.MATVEC, "MATVEC(outer(x, x), x)", (g, a) -> g.matvec(g.outer(a[0], a[0]), a[0]), v3));
    t.add(structural(Op.MATVECT, "MATVECT(w, matvec(w, x)) of real[3,3]", (g, a) -> g.matvecT(a[0], g.matvec(a[0], a[1])),
        new Arg(Shape.matrix(3, 3), REAL, true), v3));
    t.add(structural(Op.OUTER, "OUTER(x, x) of real[3]", (g, a) -> g.outer(a[0], a[0]), v3));
    // a layer: tanh(W x + c), W a strictly lower triangular matrix placed from its packed weights
    t.add(structural(Op.PLACE, "TANH(place(w, 3, 3, lower) x + c)",
        (g, a) -> g.apply(Op.TANH, g.add(g.matvec(g.place(a[0], 3, 3, new int[] {3, 6, 7}), a[1]), a[2])), v3, v3, v3));
    t.add(structural(Op.PLACE, "PLACE[2,3,{0,4,5}](real[3])", (g, a) -> g.place(a[0], 2, 3, new int[] {0, 4, 5}), v3));
    t.add(structural(Op.PLACE, "PLACE[5,0,{1,2,4}](real[3])", (g, a) -> g.place(a[0], 5, 0, new int[] {1, 2, 4}), v3));
    t.add(structural(Op.PLACE, "PLACE[2,2,{3}](real)", (g, a) -> g.place(a[0], 2, 2, new int[] {3}), scalar));
    t.add(structural(Op.PLACE, "PLACE[2,2,{1}](real[1])", (g, a) -> g.place(a[0], 2, 2, new int[] {1}),
        new Arg(Shape.vector(1), REAL, true)));
    t.add(structural(Op.TAKE, "TAKE{1,2,5}(real[2,3])", (g, a) -> g.take(a[0], new int[] {1, 2, 5}), w23));
    t.add(structural(Op.TAKE, "TAKE{4}(real[2,3])", (g, a) -> g.take(a[0], new int[] {4}), w23));
    t.add(structural(Op.TAKE, "TAKE{0,2}(real[3])", (g, a) -> g.take(a[0], new int[] {0, 2}), v3));
    for (int n : new int[] {1, 4}) {
      Arg v = new Arg(Shape.vector(n), REAL, true);
      t.add(structural(Op.CUMSUM, "CUMSUM(real[" + n + "])", (g, a) -> g.cumsum(a[0]), v));
      t.add(structural(Op.REVCUMSUM, "REVCUMSUM(real[" + n + "])", (g, a) -> g.revcumsum(a[0]), v));
    }
    // search, pick and put: piecewise constant in the knots and the index (points away from the knots)
    Arg knots = new Arg(Shape.vector(4), oneOf(0), false);
    Arg position = new Arg(Shape.SCALAR, oneOf(-1.5, -0.5, 0.5, 1.5, 2.5, 3.5), false);
    t.add(structural(Op.SEARCH, "SEARCH(real[4], real)",
        (g, a) -> g.search(g.add(a[0], g.concat(g.constant(-1), g.constant(0), g.constant(1), g.constant(3))), a[1]),
        knots, position));
    Arg index = new Arg(Shape.SCALAR, oneOf(0, 1, 2), false);
    t.add(structural(Op.PICK, "PICK(real[3], real)", (g, a) -> g.pick(a[0], a[1]), v3, index));
    t.add(structural(Op.PUT, "PUT[3](real, real)", (g, a) -> g.put(a[0], a[1], 3), scalar, index));
    for (boolean reverse : new boolean[] {false, true}) {
      t.add(structural(Op.SCAN, "SCAN[3," + (reverse ? 1 : 0) + ",1](real, real[3])",
          (g, a) -> g.scan(runningProduct(), 3, reverse, true, a[0], a[1]), scalar, v3));
    }
    // dense linear algebra: factors of x x^T + 2 I, positive definite at every point
    Arg w33 = new Arg(Shape.matrix(3, 3), REAL, true);
    Builder spd = (g, a) -> g.add(g.matmul(a[0], a[0], false, true),
        g.place(g.concat(g.constant(2), g.constant(2), g.constant(2)), 3, 3, Graph.diagonalPositions(3)));
    t.add(structural(Op.CHOLESKY, "CHOLESKY(x x^T + 2 I) of real[3,3]", (g, a) -> g.cholesky(spd.build(g, a)), w33));
    for (boolean transposed : new boolean[] {false, true}) {
      t.add(structural(Op.TRISOLVE, "TRISOLVE[" + (transposed ? 1 : 0) + "](cholesky(x x^T + 2 I), b)",
          (g, a) -> g.triangularSolve(g.cholesky(spd.build(g, a)), a[1], transposed), w33, v3));
    }
    for (int ta = 0; ta < 2; ta++) {
      for (int tb = 0; tb < 2; tb++) {
        boolean transposeA = ta == 1;
        boolean transposeB = tb == 1;
        t.add(structural(Op.MATMUL, "MATMUL[" + ta + "," + tb + "](real[" + (transposeA ? "3,2" : "2,3") + "], real["
            + (transposeB ? "4,3" : "3,4") + "])", (g, a) -> g.matmul(a[0], a[1], transposeA, transposeB),
            new Arg(transposeA ? Shape.matrix(3, 2) : Shape.matrix(2, 3), REAL, true),
            new Arg(transposeB ? Shape.matrix(4, 3) : Shape.matrix(3, 4), REAL, true)));
      }
    }
    t.add(structural(Op.MATMUL, "MATMUL[1,0](x, x) of real[3,3]", (g, a) -> g.matmul(a[0], a[0], true, false), w33));
    t.add(structural(Op.TRANSPOSE, "TRANSPOSE(real[2,3])", (g, a) -> g.transpose(a[0]), w23));
    // a product through a reshape both ways, so each element's adjoint goes back to its place
    t.add(structural(Op.RESHAPE, "MATVEC(RESHAPE[2,3](real[6]), w) then RESHAPE[6,0] of its outer",
        (g, a) -> g.sum(g.mul(g.reshape(g.outer(g.matvec(g.reshape(a[0], Shape.matrix(2, 3)), a[1]), a[1]), Shape.vector(6)),
            g.concat(g.constant(1), g.constant(2), g.constant(3), g.constant(-1), g.constant(0.5), g.constant(4)))),
        new Arg(Shape.vector(6), REAL, true), v3));
    t.add(structural(Op.LOG_ABS_DET, "LOG_ABS_DET(x x^T + 2 I) of real[3,3]", (g, a) -> g.logAbsDeterminant(spd.build(g, a)), w33));
    t.add(structural(Op.PICK, "PICK(v, search(knots, x)) of real[3]", (g, a) -> g.mul(a[1],
            g.pick(a[0], g.search(g.concat(g.constant(-1), g.constant(0), g.constant(1), g.constant(3)), a[1]))),
        v3, new Arg(Shape.SCALAR, oneOf(-1.5, -0.5, 0.5, 1.5, 2.5, 3.5), true)));
  }

  private static OpSpec structural(Op op, String label, Builder b, Arg... args) {
    return new OpSpec(op, label, List.of(args), b, ANY, TOLERANCE);
  }

  private static void elementwise(List<OpSpec> t, Op op, Domain... domains) {
    elementwise(t, op, true, ANY, domains);
  }

  /**
   * Rows for an elementwise op: all scalars, all vectors of length 3 and, for two or more
   * arguments, one vector among scalars (broadcast) each way. SELECT is not smooth in its
   * condition, truth-valued ops in nothing.
   */
  private static void elementwise(List<OpSpec> t, Op op, boolean smooth, Predicate<double[]> accept, Domain... domains) {
    assertEquals(op.arity, domains.length, op + " arity");
    List<Shape[]> layouts = new ArrayList<>();
    Shape[] scalars = new Shape[domains.length];
    Shape[] vectors = new Shape[domains.length];
    Arrays.fill(scalars, Shape.SCALAR);
    Arrays.fill(vectors, Shape.vector(3));
    layouts.add(scalars);
    layouts.add(vectors);
    if (domains.length >= 2) {
      Shape[] first = scalars.clone();
      first[0] = Shape.vector(3);
      Shape[] last = vectors.clone();
      last[0] = Shape.SCALAR;
      layouts.add(first);
      layouts.add(last);
    }
    for (Shape[] layout : layouts) {
      List<Arg> args = new ArrayList<>();
      for (int i = 0; i < domains.length; i++) {
        boolean smoothHere = smooth && !op.isBoolean() && !(op == Op.SELECT && i == 0);
        args.add(new Arg(layout[i], domains[i], smoothHere));
      }
      String label = op + "(" + String.join(", ", Arrays.stream(layout).map(Shape::toString).toList()) + ")";
      t.add(new OpSpec(op, label, args, (g, a) -> g.apply(op, a), accept, TOLERANCE));
    }
  }

  /** op(x, x): both adjoints land on one node. */
  private static void diagonal(List<OpSpec> t, Op op, Domain d) {
    for (Shape s : List.of(Shape.SCALAR, Shape.vector(3))) {
      t.add(new OpSpec(op, op + "(x, x) of " + s, List.of(new Arg(s, d, true)), (g, a) -> g.apply(op, a[0], a[0]), ANY, TOLERANCE));
    }
  }

  // ---- the checks -----------------------------------------------------------------------------

  @Test
  void theTableCoversEveryOp() {
    Set<Op> covered = EnumSet.noneOf(Op.class);
    table().forEach(s -> covered.add(s.op()));
    Set<Op> missing = EnumSet.complementOf(EnumSet.copyOf(covered));
    missing.removeIf(OpRulesTest::firstDerivativeOnly);
    assertTrue(missing.isEmpty(), () -> "ops without a row in the derivative table: " + missing);
    Set<String> labels = new TreeSet<>();
    for (OpSpec s : table()) {
      assertTrue(labels.add(s.label()), () -> "two rows labelled " + s.label());
    }
  }

  @TestFactory
  Stream<DynamicTest> gradientsMatchFiniteDifferencesAndTheDotProductIdentity() {
    return table().stream().flatMap(spec -> Stream.of(false, true).map(simplify ->
        DynamicTest.dynamicTest(spec.label() + (simplify ? " simplified" : " as built"), () -> check(spec, simplify))));
  }

  private static void check(OpSpec spec, boolean simplify) {
    SplittableRandom rnd = new SplittableRandom(spec.label().hashCode() * 2L + (simplify ? 1 : 0));
    for (int p = 0; p < POINTS; p++) {
      Graph g = new Graph(simplify);
      List<Node> inputs = new ArrayList<>();
      for (int k = 0; k < spec.args().size(); k++) {
        inputs.add(g.input("x" + k, k, spec.args().get(k).shape()));
      }
      Node out = spec.builder().build(g, inputs.toArray(Node[]::new));
      double[] cotangent = normals(rnd, out.shape().size());
      Node objective = out.shape().isScalar()
          ? g.mul(g.constant(cotangent[0]), out)
          : g.sum(g.mul(constantLike(g, cotangent, out.shape()), out));
      List<Node> gradient = Differentiator.gradient(g, objective, inputs);
      List<IrFunction.Output> outputs = new ArrayList<>();
      outputs.add(new IrFunction.Output("f", objective));
      outputs.add(new IrFunction.Output("out", out));
      for (int k = 0; k < inputs.size(); k++) {
        assertEquals(inputs.get(k).shape(), gradient.get(k).shape(), spec + ": shape of the gradient of x" + k);
        outputs.add(new IrFunction.Output("d" + k, gradient.get(k)));
      }
      IrFunction withGradient = IrVerifier.verify(new IrFunction(g, inputs, outputs));
      IrFunction value = new IrFunction(g, inputs, outputs.subList(0, 2));

      double[] z = samplePoint(spec, rnd);
      boolean[] smooth = smoothElements(spec);
      String where = spec + (simplify ? " (simplified)" : " (as built)") + " at z = " + Arrays.toString(z);
      Map<String, double[]> at = IrEvaluator.evaluate(withGradient, z, DATA_VALUES);
      double[] grad = new double[z.length];
      int offset = 0;
      for (int k = 0; k < inputs.size(); k++) {
        double[] d = at.get("d" + k);
        System.arraycopy(d, 0, grad, offset, d.length);
        offset += d.length;
      }
      for (double v : at.get("out")) {
        assertTrue(Double.isFinite(v), () -> where + ": value " + Arrays.toString(at.get("out")) + " is not finite");
      }

      // (1) every element of the gradient against a central difference of the objective
      for (int j = 0; j < z.length; j++) {
        int jj = j;
        assertTrue(Double.isFinite(grad[j]), () -> where + ": gradient element " + jj + " = " + grad[jj]);
        if (!smooth[j]) {
          assertEquals(0.0, grad[j], 0.0, () -> where + ": piecewise-constant argument element " + jj + " has a nonzero gradient");
          continue;
        }
        double[] e = new double[z.length];
        e[j] = 1;
        double fd = centralDifference(value, "f", z, e)[0];
        double err = Math.abs(grad[j] - fd);
        assertTrue(err <= spec.tolerance() * Math.max(1, Math.abs(fd)),
            () -> where + ": gradient element " + jj + " is " + grad[jj] + ", central difference " + fd + " (error " + err + ")");
      }

      // (2) <t, VJP(c)> = <JVP(t), c>, JVP by central differences of the op's output
      double[] tangent = normals(rnd, z.length);
      double norm = 0;
      for (int j = 0; j < z.length; j++) {
        if (!smooth[j]) {
          tangent[j] = 0;
        }
        norm += tangent[j] * tangent[j];
      }
      for (int j = 0; j < z.length; j++) {
        tangent[j] = norm == 0 ? 0 : tangent[j] / Math.sqrt(norm); // a unit step, like the steps along the axes
      }
      double[] jvp = centralDifference(value, "out", z, tangent);
      double lhs = 0;
      double scale = 0;
      for (int j = 0; j < z.length; j++) {
        lhs += tangent[j] * grad[j];
        scale += Math.abs(tangent[j] * grad[j]);
      }
      double rhs = 0;
      for (int i = 0; i < jvp.length; i++) {
        rhs += jvp[i] * cotangent[i];
        scale += Math.abs(jvp[i] * cotangent[i]);
      }
      double l = lhs;
      double r = rhs;
      assertTrue(Math.abs(l - r) <= spec.tolerance() * Math.max(1, scale),
          () -> where + ": <t, VJP(c)> = " + l + " but <JVP(t), c> = " + r + " with t = " + Arrays.toString(tangent)
              + ", c = " + Arrays.toString(cotangent));
    }
  }

  /** (d/ds) output(z + s dir) at s = 0, by the sixth-order central difference with step H. */
  static double[] centralDifference(IrFunction f, String output, double[] z, double[] dir) {
    double[][] plus = new double[4][];
    double[][] minus = new double[4][];
    for (int k = 1; k <= 3; k++) {
      plus[k] = valueAt(f, output, z, dir, k * H);
      minus[k] = valueAt(f, output, z, dir, -k * H);
    }
    double[] d = new double[plus[1].length];
    for (int i = 0; i < d.length; i++) {
      d[i] = (45 * (plus[1][i] - minus[1][i]) - 9 * (plus[2][i] - minus[2][i]) + (plus[3][i] - minus[3][i])) / (60 * H);
    }
    return d;
  }

  private static double[] valueAt(IrFunction f, String output, double[] z, double[] dir, double s) {
    double[] x = z.clone();
    for (int i = 0; i < x.length; i++) {
      x[i] += s * dir[i];
    }
    return IrEvaluator.evaluate(f, x, DATA_VALUES).get(output);
  }

  private static double[] samplePoint(OpSpec spec, SplittableRandom rnd) {
    List<Arg> args = spec.args();
    for (int attempt = 0; attempt < 10_000; attempt++) {
      double[][] values = new double[args.size()][];
      int length = 1;
      for (int k = 0; k < args.size(); k++) {
        values[k] = new double[args.get(k).shape().size()];
        for (int i = 0; i < values[k].length; i++) {
          values[k][i] = args.get(k).domain().draw(rnd);
        }
        length = Math.max(length, values[k].length);
      }
      boolean ok = true;
      for (int i = 0; i < length && ok; i++) {
        double[] tuple = new double[args.size()];
        for (int k = 0; k < tuple.length; k++) {
          tuple[k] = values[k][Math.min(i, values[k].length - 1)];
        }
        ok = spec.accept().test(tuple);
      }
      if (ok) {
        return Arrays.stream(values).flatMapToDouble(Arrays::stream).toArray();
      }
    }
    throw new AssertionError(spec + ": no acceptable point drawn");
  }

  private static boolean[] smoothElements(OpSpec spec) {
    int n = spec.args().stream().mapToInt(a -> a.shape().size()).sum();
    boolean[] smooth = new boolean[n];
    int offset = 0;
    for (Arg a : spec.args()) {
      Arrays.fill(smooth, offset, offset + a.shape().size(), a.smooth());
      offset += a.shape().size();
    }
    return smooth;
  }

  private static double[] normals(SplittableRandom rnd, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      // Box-Muller, one value per pair of uniforms
      v[i] = Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
    return v;
  }

  private static Node constantVector(Graph g, double[] v) {
    Node[] parts = new Node[v.length];
    for (int i = 0; i < v.length; i++) {
      parts[i] = g.constant(v[i]);
    }
    return g.concat(parts);
  }

  /** The values {@code v} as a constant of the given shape (a matrix placed from a constant vector). */
  private static Node constantLike(Graph g, double[] v, Shape shape) {
    Node flat = constantVector(g, v);
    if (!shape.isMatrix()) {
      return flat;
    }
    int[] all = new int[v.length];
    Arrays.setAll(all, i -> i);
    return g.place(flat, shape.rows(), shape.cols(), all);
  }

  // ---- every op owns an evaluator and (unless piecewise constant) a derivative rule ----------

  /** A scan body: carry c, slice x; c' = c x + sin(c), y = c^2. */
  private static ScanBody runningProduct() {
    Graph b = new Graph(false);
    Node c = b.input("c", 0, Shape.SCALAR);
    Node x = b.input("x", 1, Shape.SCALAR);
    return new ScanBody(new IrFunction(b, List.of(c, x), List.of(
        new IrFunction.Output("c", b.add(b.mul(c, x), b.sin(c))), new IrFunction.Output("y", b.square(c)))), 1, 1);
  }

  /** A node of {@code op} on inputs of suitable shapes, built in {@code g}; vector elementwise if asked. */
  static Node example(Graph g, Op op, boolean vector, List<Node> inputs) {
    Shape elementShape = vector ? Shape.vector(3) : Shape.SCALAR;
    switch (op.kind) {
      case LEAF -> throw new IllegalArgumentException("leaf " + op);
      case ELEMENTWISE -> {
        Node[] args = new Node[op.arity];
        for (int i = 0; i < args.length; i++) {
          args[i] = input(g, inputs, elementShape);
        }
        return op == Op.POLYGAMMA ? g.apply(op, new int[] {1}, args) : g.apply(op, args);
      }
      default -> {
        return switch (op) {
          case SUM, LOGSUMEXP -> g.apply(op, input(g, inputs, Shape.vector(3)));
          case INDEX -> g.index(input(g, inputs, Shape.vector(3)), 1);
          case SLICE -> g.slice(input(g, inputs, Shape.vector(3)), 1, 2);
          case EMBED -> g.embed(input(g, inputs, Shape.SCALAR), 1, 3);
          case BROADCAST -> g.broadcast(input(g, inputs, Shape.SCALAR), 3);
          case CONCAT -> g.concat(input(g, inputs, Shape.SCALAR), input(g, inputs, Shape.vector(2)));
          case GATHER -> g.gather(input(g, inputs, Shape.vector(3)), g.data("idx", 3, Shape.vector(3)), 0);
          case SCATTER -> g.scatter(input(g, inputs, Shape.vector(3)), g.data("idx", 3, Shape.vector(3)), 0, 3);
          case MATVEC -> g.matvec(input(g, inputs, Shape.matrix(2, 3)), input(g, inputs, Shape.vector(3)));
          case MATVECT -> g.matvecT(input(g, inputs, Shape.matrix(2, 3)), input(g, inputs, Shape.vector(2)));
          case OUTER -> g.outer(input(g, inputs, Shape.vector(2)), input(g, inputs, Shape.vector(3)));
          case PLACE -> g.place(input(g, inputs, Shape.vector(2)), 2, 3, new int[] {1, 5});
          case TAKE -> g.take(input(g, inputs, Shape.matrix(2, 3)), new int[] {0, 4});
          case RESHAPE -> g.reshape(input(g, inputs, Shape.vector(6)), Shape.matrix(2, 3));
          case CUMSUM, REVCUMSUM -> g.apply(op, input(g, inputs, Shape.vector(3)));
          case SEARCH -> g.search(input(g, inputs, Shape.vector(3)), input(g, inputs, Shape.SCALAR));
          case PICK -> g.pick(input(g, inputs, Shape.vector(3)), g.constant(2));
          case PUT -> g.put(input(g, inputs, Shape.SCALAR), g.constant(1), 3);
          case CHOLESKY -> g.cholesky(positiveDefinite(g, inputs));
          case CHOLESKY_ADJOINT -> g.apply(op, g.cholesky(positiveDefinite(g, inputs)), input(g, inputs, Shape.matrix(2, 2)));
          case TRISOLVE -> g.triangularSolve(g.cholesky(positiveDefinite(g, inputs)), input(g, inputs, Shape.vector(2)), false);
          case MATMUL -> g.matmul(input(g, inputs, Shape.matrix(2, 3)), input(g, inputs, Shape.matrix(3, 2)), false, false);
          case TRANSPOSE -> g.transpose(input(g, inputs, Shape.matrix(2, 3)));
          case LOG_ABS_DET -> g.logAbsDeterminant(positiveDefinite(g, inputs));
          case LOG_ABS_DET_ADJOINT -> g.apply(op, positiveDefinite(g, inputs), input(g, inputs, Shape.SCALAR));
          case SCAN -> g.scan(runningProduct(), 3, false, true, input(g, inputs, Shape.SCALAR), input(g, inputs, Shape.vector(3)));
          default -> throw new AssertionError("no example for the structural op " + op + ": add one to OpRulesTest.example");
        };
      }
    }
  }

  /** A 2 x 2 input plus 2 on its diagonal: positive definite at the points the tests take. */
  private static Node positiveDefinite(Graph g, List<Node> inputs) {
    Node two = g.constant(2);
    return g.add(input(g, inputs, Shape.matrix(2, 2)), g.place(g.concat(two, two), 2, 2, Graph.diagonalPositions(2)));
  }

  /**
   * The ops without a rule of their own: the Cholesky and log-determinant rules' adjoints, which
   * only a second derivative would differentiate.
   */
  private static boolean firstDerivativeOnly(Op op) {
    return op == Op.CHOLESKY_ADJOINT || op == Op.LOG_ABS_DET_ADJOINT;
  }

  private static Node input(Graph g, List<Node> inputs, Shape shape) {
    Node in = g.input("x" + inputs.size(), inputs.size(), shape);
    inputs.add(in);
    return in;
  }

  @Test
  void everyNonLeafOpEvaluates() {
    List<String> failures = new ArrayList<>();
    for (Op op : Op.values()) {
      if (op.kind == Op.Kind.LEAF) {
        continue;
      }
      for (boolean vector : op.kind == Op.Kind.ELEMENTWISE ? new boolean[] {false, true} : new boolean[] {false}) {
        Graph g = new Graph(false);
        List<Node> inputs = new ArrayList<>();
        try {
          Node n = example(g, op, vector, inputs);
          assertEquals(op, n.op(), "a graph that does not simplify keeps the op");
          IrFunction f = IrVerifier.verify(new IrFunction(g, inputs, List.of(new IrFunction.Output("y", n))));
          double[] z = new double[f.dimension()];
          for (int i = 0; i < z.length; i++) {
            z[i] = 0.2 + 0.1 * (i % 5); // in every op's domain
          }
          double[] y = IrEvaluator.evaluate(f, z, DATA_VALUES).get("y");
          assertEquals(n.shape().size(), y.length, "number of values");
          for (double v : y) {
            assertTrue(Double.isFinite(v), () -> "value " + Arrays.toString(y));
          }
        } catch (RuntimeException | AssertionError e) {
          failures.add(op + (vector ? " on vectors" : "") + ": " + e);
        }
      }
    }
    assertTrue(failures.isEmpty(), () -> "ops that do not evaluate:\n" + String.join("\n", failures));
  }

  @Test
  void everyDifferentiableOpHasADerivativeRule() {
    List<Op> missing = new ArrayList<>();
    for (Op op : Op.values()) {
      if (op.kind != Op.Kind.LEAF && !op.isBoolean() && !op.hasDerivativeRule() && !firstDerivativeOnly(op)) {
        missing.add(op);
      }
    }
    assertTrue(missing.isEmpty(), () -> "ops without a derivative rule: " + missing);
  }

  @Test
  void everyDerivativeRuleBuildsAdjointsOfTheArgumentShapes() {
    for (Op op : Op.values()) {
      if (op.kind == Op.Kind.LEAF) {
        assertFalse(op.hasDerivativeRule(), op + " is a leaf");
        continue;
      }
      if (firstDerivativeOnly(op)) {
        continue;
      }
      for (boolean vector : op.kind == Op.Kind.ELEMENTWISE ? new boolean[] {false, true} : new boolean[] {false}) {
        Graph g = new Graph(false);
        Node n = example(g, op, vector, new ArrayList<>());
        Node adjoint = n.shape().isScalar() ? g.constant(0.5) : g.broadcast(g.constant(0.5), n.shape());
        Node[] adjoints = op.vjp(g, n, adjoint);
        assertEquals(n.arity(), adjoints.length, op + ": one adjoint per argument");
        for (int i = 0; i < adjoints.length; i++) {
          if (op.isBoolean()) {
            assertEquals(null, adjoints[i], op + " is piecewise constant: no adjoint for argument " + i);
          } else if (adjoints[i] != null) {
            assertEquals(n.arg(i).shape(), adjoints[i].shape(), op + ": shape of the adjoint of argument " + i);
          }
        }
        if (op.isBoolean()) {
          assertFalse(op.hasDerivativeRule(), op + " is truth-valued");
        }
      }
    }
  }

  // ---- the documented choices at kinks ----------------------------------------------------------

  /** The gradient of {@code sum(build(inputs))} at z, flat, in a graph that simplifies or not. */
  private static double[] gradientAt(boolean simplify, Shape[] shapes, BiFunction<Graph, Node[], Node> build, double... z) {
    Graph g = new Graph(simplify);
    List<Node> inputs = new ArrayList<>();
    for (int k = 0; k < shapes.length; k++) {
      inputs.add(g.input("x" + k, k, shapes[k]));
    }
    Node y = build.apply(g, inputs.toArray(Node[]::new));
    List<Node> grad = Differentiator.gradient(g, y.shape().isScalar() ? y : g.sum(y), inputs);
    List<IrFunction.Output> outs = new ArrayList<>();
    for (int k = 0; k < grad.size(); k++) {
      outs.add(new IrFunction.Output("d" + k, grad.get(k)));
    }
    Map<String, double[]> at = IrEvaluator.evaluate(IrVerifier.verify(new IrFunction(g, inputs, outs)), z, DATA_VALUES);
    return at.values().stream().flatMapToDouble(Arrays::stream).toArray();
  }

  private static double[] scalarGradient(boolean simplify, int n, BiFunction<Graph, Node[], Node> build, double... z) {
    Shape[] shapes = new Shape[n];
    Arrays.fill(shapes, Shape.SCALAR);
    return gradientAt(simplify, shapes, build, z);
  }

  @Test
  void absHasTheRightDerivativeAtZero() {
    for (boolean simplify : new boolean[] {false, true}) {
      assertArrayEquals(new double[] {1}, scalarGradient(simplify, 1, (g, x) -> g.apply(Op.ABS, x[0]), 0.0), "d|x|/dx at +0");
      assertArrayEquals(new double[] {1}, scalarGradient(simplify, 1, (g, x) -> g.apply(Op.ABS, x[0]), -0.0), "d|x|/dx at -0");
      assertArrayEquals(new double[] {-1}, scalarGradient(simplify, 1, (g, x) -> g.apply(Op.ABS, x[0]), -1e-300), "d|x|/dx just below 0");
      assertArrayEquals(new double[] {1, 1, -1},
          gradientAt(simplify, new Shape[] {Shape.vector(3)}, (g, x) -> g.apply(Op.ABS, x[0]), 0, 2, -2),
          "d|x|/dx elementwise at (0, 2, -2)");
    }
  }

  @Test
  void minAndMaxSendTheAdjointToTheFirstArgumentOnTies() {
    for (boolean simplify : new boolean[] {false, true}) {
      for (Op op : List.of(Op.MIN, Op.MAX)) {
        for (double v : new double[] {0.0, 1.5, -3}) {
          assertArrayEquals(new double[] {1, 0}, scalarGradient(simplify, 2, (g, x) -> g.apply(op, x[0], x[1]), v, v),
              op + " tie at " + v);
        }
        assertArrayEquals(new double[] {1, 0}, scalarGradient(simplify, 2, (g, x) -> g.apply(op, x[0], x[1]), 0.0, -0.0),
            op + " of 0 and -0 (equal)");
        assertArrayEquals(new double[] {1}, scalarGradient(simplify, 1, (g, x) -> g.apply(op, x[0], x[0]), 2.0),
            op + "(x, x)");
        assertArrayEquals(op == Op.MIN ? new double[] {0, 1, 1, 1, 0, 0, 3} : new double[] {1, 1, 1, 0, 0, 0, 3},
            gradientAt(simplify, new Shape[] {Shape.vector(3), Shape.vector(3), Shape.SCALAR},
                (g, x) -> g.add(g.apply(op, x[0], x[1]), g.apply(op, x[2], x[2])), 1, 2, 3, 0, 2, 3, 7),
            op + " elementwise; adjoints of ties and of a scalar broadcast");
      }
      // away from ties the smaller (larger) argument takes it all
      assertArrayEquals(new double[] {0, 1}, scalarGradient(simplify, 2, (g, x) -> g.apply(Op.MIN, x[0], x[1]), 2, 1));
      assertArrayEquals(new double[] {1, 0}, scalarGradient(simplify, 2, (g, x) -> g.apply(Op.MIN, x[0], x[1]), 1, 2));
      assertArrayEquals(new double[] {0, 1}, scalarGradient(simplify, 2, (g, x) -> g.apply(Op.MAX, x[0], x[1]), 1, 2));
      assertArrayEquals(new double[] {1, 0}, scalarGradient(simplify, 2, (g, x) -> g.apply(Op.MAX, x[0], x[1]), 2, 1));
    }
  }

  @Test
  void selectSendsTheAdjointAlongTheBranchTaken() {
    for (boolean simplify : new boolean[] {false, true}) {
      BiFunction<Graph, Node[], Node> select = (g, x) -> g.select(x[0], g.mul(x[1], x[1]), g.mul(g.constant(3), x[2]));
      assertArrayEquals(new double[] {0, 4, 0}, scalarGradient(simplify, 3, select, 1, 2, 5), "condition true");
      assertArrayEquals(new double[] {0, 4, 0}, scalarGradient(simplify, 3, select, -0.5, 2, 5), "condition nonzero");
      assertArrayEquals(new double[] {0, 0, 3}, scalarGradient(simplify, 3, select, 0, 2, 5), "condition false");
      assertArrayEquals(new double[] {0, 0, 3}, scalarGradient(simplify, 3, select, -0.0, 2, 5), "condition -0");
      // a condition computed from the inputs: x < y ? x^2 : 3y, at a tie and on both sides
      BiFunction<Graph, Node[], Node> piecewise =
          (g, x) -> g.select(g.apply(Op.LT, x[0], x[1]), g.mul(x[0], x[0]), g.mul(g.constant(3), x[1]));
      assertArrayEquals(new double[] {2, 0}, scalarGradient(simplify, 2, piecewise, 1, 2));
      assertArrayEquals(new double[] {0, 3}, scalarGradient(simplify, 2, piecewise, 2, 2));
      assertArrayEquals(new double[] {0, 3}, scalarGradient(simplify, 2, piecewise, 3, 2));
      // the same node in both branches takes the whole adjoint whichever is chosen
      BiFunction<Graph, Node[], Node> both = (g, x) -> g.select(x[0], x[1], g.mul(g.constant(2), x[1]));
      assertArrayEquals(new double[] {0, 1}, scalarGradient(simplify, 2, both, 1, 4));
      assertArrayEquals(new double[] {0, 2}, scalarGradient(simplify, 2, both, 0, 4));
      // elementwise, with the condition and one branch broadcast from scalars
      assertArrayEquals(new double[] {0, 0, 0, 1, 0, 1, 1},
          gradientAt(simplify, new Shape[] {Shape.vector(3), Shape.vector(3), Shape.SCALAR},
              (g, x) -> g.select(x[0], x[1], x[2]), 1, 0, 2, 7, 8, 9, 4),
          "select(v, w, s) elementwise");
    }
  }

  /**
   * x^y at x = 0: x^0 is 1 for every x, so d/dx is 0 there (not 0 * 0^-1 = NaN), and 0^y is 0
   * for every y > 0, so d/dy is 0 there (not 0 * log 0 = NaN).
   */
  @Test
  void powHasFiniteDerivativesAtAZeroBase() {
    for (boolean simplify : new boolean[] {false, true}) {
      BiFunction<Graph, Node[], Node> pow = (g, x) -> g.pow(x[0], x[1]);
      assertArrayEquals(new double[] {0, 0}, scalarGradient(simplify, 2, pow, 0, 0), "d(x^y) at (0, 0)");
      assertArrayEquals(new double[] {0, 0}, scalarGradient(simplify, 2, pow, -0.0, 0), "d(x^y) at (-0, 0)");
      assertArrayEquals(new double[] {0, 0}, scalarGradient(simplify, 2, pow, 0, 2.5), "d(x^y) at (0, 2.5)");
      assertArrayEquals(new double[] {1, 0}, scalarGradient(simplify, 2, pow, 0, 1), "d(x^y) at (0, 1)");
      assertArrayEquals(new double[] {0, Math.log(3)}, scalarGradient(simplify, 2, pow, 3, 0), "d(x^y) at (3, 0)");
      assertArrayEquals(new double[] {2.5 * Math.pow(3, 1.5), Math.pow(3, 2.5) * Math.log(3)},
          scalarGradient(simplify, 2, pow, 3, 2.5), 1e-12, "d(x^y) at (3, 2.5)");
      // a constant exponent 0 (a graph that simplifies makes x^0 the constant 1 first)
      assertArrayEquals(new double[] {0}, scalarGradient(simplify, 1, (g, x) -> g.pow(x[0], g.constant(0)), 0), "d(x^0) at 0");
      assertArrayEquals(new double[] {0, 0, 0},
          gradientAt(simplify, new Shape[] {Shape.vector(3)}, (g, x) -> g.pow(x[0], g.constant(0)), 0, 1, -2), "d(v^0)");
      // a constant base 0: d(0^y)/dy for y > 0
      assertArrayEquals(new double[] {0}, scalarGradient(simplify, 1, (g, x) -> g.pow(g.constant(0), x[0]), 1.5), "d(0^y) at 1.5");
    }
  }

  @Test
  void truthValuedOpsHaveZeroDerivative() {
    for (boolean simplify : new boolean[] {false, true}) {
      for (Op op : Op.values()) {
        if (!op.isBoolean()) {
          continue;
        }
        for (double[] z : new double[][] {{0, 0}, {1, 1}, {0, 1}, {1, 0}, {-2, 3}, {2.5, -0.5}}) {
          double[] at = op.arity == 1 ? new double[] {z[0]} : z;
          // y = x0 * op(x...) + op(x...): the product rule sees op's value, never a derivative
          double[] grad = scalarGradient(simplify, op.arity, (g, x) -> {
            Node b = g.apply(op, x);
            return g.add(g.mul(x[0], b), b);
          }, at);
          double value = op.arity == 1 ? op.apply1(at[0]) : op.apply2(at[0], at[1]);
          double[] expected = new double[op.arity];
          expected[0] = value;
          assertArrayEquals(expected, grad, () -> op + " at " + Arrays.toString(at));
        }
      }
    }
  }
}
