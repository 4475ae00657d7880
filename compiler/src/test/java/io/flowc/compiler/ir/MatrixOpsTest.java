package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.Sums;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Matrices and the ops of neural flows beyond what {@link OpRulesTest}'s derivative table checks:
 * the exact summation order of matvec and matvecT, the values of place, take, cumsum, search,
 * pick and put, the shape rules and their messages, relu's derivative at 0, guarded gradients
 * through a matvec, and the printed form.
 */
class MatrixOpsTest {
  private static Map<String, double[]> evaluate(Graph g, List<Node> inputs, Node out, double[] z) {
    IrFunction f = IrVerifier.verify(new IrFunction(g, inputs, List.of(new IrFunction.Output("y", out))));
    return IrEvaluator.evaluate(f, z);
  }

  private static double[] values(Graph g, List<Node> inputs, Node out, double[] z) {
    return evaluate(g, inputs, out, z).get("y");
  }

  /** Random values spread over 16 orders of magnitude, both signs: sums of them depend on their order. */
  private static double[] spread(SplittableRandom r, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (r.nextBoolean() ? 1 : -1) * Math.pow(10, -8 + 16 * r.nextDouble());
    }
    return v;
  }

  private static double[] concat(double[] a, double[] b) {
    double[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void matvecAndMatvecTSumInTheContractedOrder() {
    int m = 7;
    int n = 40;
    SplittableRandom r = new SplittableRandom(15);
    double[] w = spread(r, m * n);
    double[] x = spread(r, n);
    double[] y = spread(r, m);
    Graph g = new Graph(true);
    Node wn = g.input("w", 0, Shape.matrix(m, n));
    Node xn = g.input("x", 1, Shape.vector(n));
    Node yn = g.input("y", 2, Shape.vector(m));
    List<Node> in = List.of(wn, xn, yn);
    double[] z = concat(concat(w, x), y);
    double[] forward = values(g, in, g.matvec(wn, xn), z);
    double[] transposed = values(g, in, g.matvecT(wn, yn), z);
    boolean orderMatters = false;
    for (int i = 0; i < m; i++) {
      double acc = w[i * n] * x[0];
      double backwards = w[i * n + n - 1] * x[n - 1];
      for (int j = 1; j < n; j++) {
        acc += w[i * n + j] * x[j];
        backwards += w[i * n + n - 1 - j] * x[n - 1 - j];
      }
      assertEquals(Double.doubleToRawLongBits(acc), Double.doubleToRawLongBits(forward[i]), "row " + i);
      orderMatters |= backwards != acc;
    }
    assertTrue(orderMatters, "the test values are such that the order of the sum shows");
    for (int j = 0; j < n; j++) {
      double acc = w[j] * y[0];
      for (int i = 1; i < m; i++) {
        acc += w[i * n + j] * y[i];
      }
      assertEquals(Double.doubleToRawLongBits(acc), Double.doubleToRawLongBits(transposed[j]), "column " + j);
    }
  }

  @Test
  void sumOfAMatrixIsInFlatOrderAndOuterIsRowMajor() {
    Graph g = new Graph(false);
    Node a = g.input("a", 0, Shape.vector(2));
    Node b = g.input("b", 1, Shape.vector(3));
    List<Node> in = List.of(a, b);
    double[] z = {2, -3, 1e16, 1, -1e16};
    assertArrayEquals(new double[] {2e16, 2, -2e16, -3e16, -3, 3e16}, values(g, in, g.outer(a, b), z));
    // summed in the lanes of Sums over the flat (row-major) order: 0, where column-major gives -1
    double[] flat = {2e16, 2, -2e16, -3e16, -3, 3e16};
    double[] transposed = {2e16, -3e16, 2, -3, -2e16, 3e16};
    assertTrue(Sums.sum(flat) != Sums.sum(transposed), "values whose sum shows its order");
    assertArrayEquals(new double[] {Sums.sum(flat)}, values(g, in, g.sum(g.outer(a, b)), z));
  }

  @Test
  void placeTakeCumsumSearchPickAndPutValues() {
    Graph g = new Graph(false);
    Node p = g.input("p", 0, Shape.vector(3));
    Node s = g.input("s", 1, Shape.SCALAR);
    List<Node> in = List.of(p, s);
    double[] z = {1, 2, 3, 0.5};
    Node placed = g.place(p, 2, 3, new int[] {0, 4, 5});
    assertEquals(Shape.matrix(2, 3), placed.shape());
    assertArrayEquals(new double[] {1, 0, 0, 0, 2, 3}, values(g, in, placed, z));
    assertArrayEquals(new double[] {0, 1, 0, 2, 3}, values(g, in, g.place(p, 5, 0, new int[] {1, 3, 4}), z));
    assertArrayEquals(new double[] {0, 0, 0, 0.5}, values(g, in, g.place(s, 2, 2, new int[] {3}), z));
    assertArrayEquals(new double[] {1, 3}, values(g, in, g.take(placed, new int[] {0, 5}), z));
    assertEquals(Shape.SCALAR, g.take(placed, new int[] {4}).shape());
    assertArrayEquals(new double[] {1, 3, 6}, values(g, in, g.cumsum(p), z));
    assertArrayEquals(new double[] {6, 5, 3}, values(g, in, g.revcumsum(p), z));
    assertArrayEquals(new double[] {0, 0, 0.5}, values(g, in, g.put(s, g.constant(2), 3), z));
    assertArrayEquals(new double[] {3}, values(g, in, g.pick(p, g.constant(2)), z));

    Node knots = g.concat(g.constant(-1), g.constant(0), g.constant(1), g.constant(3));
    Function<Double, Double> bin = x -> values(g, in, g.search(knots, s), new double[] {0, 0, 0, x})[0];
    double[][] expected = {
      {-5, 0}, {-1, 0}, {-0.5, 0}, {0, 1}, {0.5, 1}, {1, 2}, {2.9, 2}, {3, 2}, {100, 2}, {Double.NaN, 0},
      {Double.NEGATIVE_INFINITY, 0}, {Double.POSITIVE_INFINITY, 2}
    };
    for (double[] e : expected) {
      assertEquals(e[1], bin.apply(e[0]), "bin of " + e[0]);
    }
  }

  @Test
  void shapeRulesRejectWhatTheOpsCannotTake() {
    Graph g = new Graph(false);
    Node w = g.input("w", 0, Shape.matrix(2, 3));
    Node v2 = g.input("v2", 1, Shape.vector(2));
    Node v3 = g.input("v3", 2, Shape.vector(3));
    Node s = g.input("s", 3, Shape.SCALAR);
    rejects(() -> g.matvec(w, v2), "MATVEC of shapes real[2,3] and real[2]");
    rejects(() -> g.matvecT(w, v3), "MATVECT of shapes real[2,3] and real[3]");
    rejects(() -> g.matvec(v3, v3), "MATVEC of shapes real[3] and real[3]");
    rejects(() -> g.outer(w, v2), "OUTER of shapes real[2,3] and real[2]");
    rejects(() -> g.outer(s, v2), "OUTER of shapes real and real[2]");
    rejects(() -> g.add(w, g.outer(v3, v2)), "ADD of mismatched shapes real[2,3] and real[3,2]");
    rejects(() -> g.add(w, g.input("flat", 4, Shape.vector(6))), "ADD of mismatched shapes real[2,3] and real[6]");
    rejects(() -> g.index(w, 0), "INDEX of a matrix real[2,3]");
    rejects(() -> g.slice(w, 0, 2), "SLICE of a matrix real[2,3]");
    rejects(() -> g.concat(w, s), "CONCAT of a matrix real[2,3]");
    rejects(() -> g.embed(w, 0, 8), "EMBED of a matrix real[2,3]");
    rejects(() -> g.cumsum(w), "CUMSUM of a matrix real[2,3]");
    rejects(() -> g.cumsum(s), "CUMSUM of a scalar");
    rejects(() -> g.place(v2, 2, 2, new int[] {1, 1}), "PLACE positions [1, 1] are not strictly increasing in [0, 4)");
    rejects(() -> g.place(v2, 2, 2, new int[] {1, 4}), "PLACE positions [1, 4] are not strictly increasing in [0, 4)");
    rejects(() -> g.place(v3, 2, 2, new int[] {1, 2}), "PLACE of real[3] at 2 positions into real[2,2]");
    rejects(() -> g.take(w, new int[] {6}), "TAKE positions [6] are not strictly increasing in [0, 6)");
    rejects(() -> g.take(s, new int[] {0}), "TAKE of real: needs a vector or a matrix");
    rejects(() -> g.search(g.input("k1", 5, Shape.vector(1)), s), "SEARCH of shapes real[1] and real");
    rejects(() -> g.search(v3, v2), "SEARCH of shapes real[3] and real[2]");
    rejects(() -> g.pick(w, s), "PICK of shapes real[2,3] and real");
    rejects(() -> g.put(v2, s, 3), "PUT of shapes real[2] and real");
    assertThrows(IllegalArgumentException.class, () -> Shape.matrix(0, 3));
  }

  private static void rejects(Runnable build, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
    assertEquals(message, e.getMessage().substring(0, Math.min(message.length(), e.getMessage().length())), e.getMessage());
  }

  @Test
  void elementwiseOpsBroadcastAScalarOverAMatrix() {
    for (boolean simplify : new boolean[] {false, true}) {
      Graph g = new Graph(simplify);
      Node w = g.input("w", 0, Shape.matrix(2, 2));
      Node c = g.input("c", 1, Shape.SCALAR);
      Node y = g.mul(g.add(w, g.constant(1)), c);
      assertEquals(Shape.matrix(2, 2), y.shape());
      List<Node> in = List.of(w, c);
      assertArrayEquals(new double[] {2, 4, 6, 8}, values(g, in, y, new double[] {0, 1, 2, 3, 2}));
      List<Node> grad = Differentiator.gradient(g, g.sum(y), in);
      assertEquals(Shape.matrix(2, 2), grad.get(0).shape());
      assertArrayEquals(new double[] {2, 2, 2, 2}, values(g, in, grad.get(0), new double[] {0, 1, 2, 3, 2}));
      assertArrayEquals(new double[] {10}, values(g, in, grad.get(1), new double[] {0, 1, 2, 3, 2}));
    }
  }

  @Test
  void reluHasDerivativeZeroAtZero() {
    for (boolean simplify : new boolean[] {false, true}) {
      Graph g = new Graph(simplify);
      Node x = g.input("x", 0, Shape.vector(5));
      Node y = g.relu(x);
      List<Node> grad = Differentiator.gradient(g, g.sum(y), List.of(x));
      double[] z = {-1, -0.0, 0.0, 1e-300, 2};
      Map<String, double[]> at = IrEvaluator.evaluate(new IrFunction(g, List.of(x),
          List.of(new IrFunction.Output("y", y), new IrFunction.Output("d", grad.get(0)))), z);
      assertArrayEquals(new double[] {0, 0, 0, 1e-300, 2}, at.get("y"));
      assertArrayEquals(new double[] {0, 0, 0, 1, 1}, at.get("d"));
    }
  }

  /**
   * sum(y > 0 ? sqrt(y) : y) with y = W x: the square root's derivative is NaN where y < 0, and
   * the guards keep it out of the gradient although the matvec mixes the rows' needs.
   */
  @Test
  void guardedGradientThroughAMatvecIsFiniteAndRight() {
    for (boolean simplify : new boolean[] {false, true}) {
      Graph g = new Graph(simplify);
      Node w = g.input("w", 0, Shape.matrix(3, 2));
      Node x = g.input("x", 1, Shape.vector(2));
      Node y = g.matvec(w, x);
      Node f = g.sum(g.select(g.apply(Op.GT, y, g.constant(0)), g.sqrt(y), y));
      List<Node> grad = Differentiator.gradient(g, f, List.of(w, x));
      double[] wv = {1, 2, -3, 1, 0.5, 0.25};
      double[] xv = {1, -1};
      double[] yv = {-1, -4, 0.25};
      double[] dy = new double[3];
      for (int i = 0; i < 3; i++) {
        dy[i] = yv[i] > 0 ? 0.5 / Math.sqrt(yv[i]) : 1;
      }
      double[] z = concat(wv, xv);
      List<IrFunction.Output> outs = List.of(new IrFunction.Output("dw", grad.get(0)), new IrFunction.Output("dx", grad.get(1)));
      Map<String, double[]> at = IrEvaluator.evaluate(IrVerifier.verify(new IrFunction(g, List.of(w, x), outs)), z);
      double[] dw = new double[6];
      double[] dx = new double[2];
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 2; j++) {
          dw[i * 2 + j] = dy[i] * xv[j];
          dx[j] += wv[i * 2 + j] * dy[i];
        }
      }
      assertArrayEquals(dw, at.get("dw"), 1e-15, "simplify " + simplify);
      assertArrayEquals(dx, at.get("dx"), 1e-15, "simplify " + simplify);
    }
  }

  @Test
  void theGradientOfALayerHasTheShapesOfItsWeights() {
    Graph g = new Graph(true);
    Node w1 = g.input("w1", 0, Shape.matrix(4, 2));
    Node c1 = g.input("c1", 1, Shape.vector(4));
    Node w2 = g.input("w2", 2, Shape.matrix(2, 4));
    Node x = g.input("x", 3, Shape.vector(2));
    Node h = g.apply(Op.TANH, g.add(g.matvec(w1, x), c1));
    Node out = g.sum(g.square(g.matvec(w2, h)));
    List<Node> inputs = List.of(w1, c1, w2, x);
    List<Node> grad = Differentiator.gradient(g, out, inputs);
    for (int k = 0; k < inputs.size(); k++) {
      assertEquals(inputs.get(k).shape(), grad.get(k).shape());
    }
    List<IrFunction.Output> outs = new ArrayList<>();
    outs.add(new IrFunction.Output("f", out));
    IrFunction f = IrVerifier.verify(new IrFunction(g, inputs, outs));
    String printed = IrPrinter.print(f);
    assertTrue(printed.contains("= input w1 : real[4,2]\n"), printed);
    assertTrue(printed.contains("= matvec %"), printed);
    assertFalse(printed.contains("matvect"), "no transposed product in the value");
  }

  @Test
  void theVerifierChecksMatrixShapes() {
    Graph g = new Graph(false);
    Node w = g.input("w", 0, Shape.matrix(2, 3));
    Node x = g.input("x", 1, Shape.vector(3));
    Node bad = g.intern(Op.MATVEC, new Node[] {w, x}, new int[0], 0, null, Shape.vector(3));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> IrVerifier.verify(new IrFunction(g, List.of(w, x), List.of(new IrFunction.Output("y", bad)))));
    assertTrue(e.getMessage().contains("shape real[3] but its op gives real[2]"), e.getMessage());
    Node broadcast = g.broadcast(g.constant(1), Shape.matrix(2, 3));
    assertEquals(Shape.matrix(2, 3), broadcast.shape());
    assertEquals(2, broadcast.attrCount());
  }
}
