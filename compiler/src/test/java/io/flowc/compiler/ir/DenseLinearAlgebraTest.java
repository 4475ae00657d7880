package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The dense linear-algebra ops (cholesky, triangular solves, matrix products, transpose): their
 * values, and their reverse-mode rules against central differences at random points, the
 * Cholesky rule (Murray 2016) on random symmetric positive-definite matrices up to 30 x 30.
 */
class DenseLinearAlgebraTest {
  private static double[] eval(IrFunction f, String out, double[] z) {
    return IrEvaluator.evaluate(f, z).get(out);
  }

  /** A random SPD n x n matrix, row-major: M M^T / n + I with M's elements in (-1, 1). */
  static double[] randomSpd(SplittableRandom r, int n) {
    double[] m = new double[n * n];
    for (int i = 0; i < m.length; i++) {
      m[i] = 2 * r.nextDouble() - 1;
    }
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += m[i * n + k] * m[j * n + k];
        }
        a[i * n + j] = s / n + (i == j ? 1 : 0);
      }
    }
    return a;
  }

  private static double[] random(SplittableRandom r, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = 2 * r.nextDouble() - 1;
    }
    return v;
  }

  /**
   * f = sum(weights * op(inputs)) and its gradient; checks every gradient element against a
   * central difference of f (step 1e-6, relative and absolute tolerance 1e-6).
   */
  private static void checkGradient(String what, Graph g, List<Node> inputs, Node value, double[] z, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Node f;
    if (value.shape().isScalar()) {
      f = value;
    } else {
      // fixed random weights, so that every element of the value matters differently
      double[] w = random(r, value.shape().size());
      Node wn = g.place(g.concat(java.util.Arrays.stream(w).mapToObj(g::constant).toArray(Node[]::new)),
          value.shape().isMatrix() ? value.shape().rows() : value.shape().size(),
          value.shape().isMatrix() ? value.shape().cols() : 0, range(w.length));
      f = g.sum(g.mul(wn, value));
    }
    List<Node> grad = Differentiator.gradient(g, f, inputs);
    List<IrFunction.Output> outs = new java.util.ArrayList<>();
    outs.add(new IrFunction.Output("f", f));
    for (int k = 0; k < inputs.size(); k++) {
      outs.add(new IrFunction.Output("g" + k, grad.get(k)));
    }
    IrFunction fn = IrVerifier.verify(new IrFunction(g, inputs, outs));
    double[] analytic = new double[z.length];
    for (int k = 0; k < inputs.size(); k++) {
      double[] gk = eval(fn, "g" + k, z);
      System.arraycopy(gk, 0, analytic, fn.offsetOf(inputs.get(k)), gk.length);
    }
    double h = 1e-6;
    for (int i = 0; i < z.length; i++) {
      double[] up = z.clone();
      double[] down = z.clone();
      up[i] += h;
      down[i] -= h;
      double numeric = (eval(fn, "f", up)[0] - eval(fn, "f", down)[0]) / (2 * h);
      assertEquals(numeric, analytic[i], 1e-6 * (1 + Math.abs(numeric)), what + ": d f / d z[" + i + "]");
    }
  }

  private static int[] range(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    return p;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 11, 30})
  void choleskyFactorsAndItsRuleMatchesCentralDifferences(int n) {
    SplittableRandom r = new SplittableRandom(100 + n);
    double[] a = randomSpd(r, n);
    Graph g = new Graph(false);
    Node an = g.input("a", 0, Shape.matrix(n, n));
    Node l = g.cholesky(an);
    IrFunction f = new IrFunction(g, List.of(an), List.of(new IrFunction.Output("l", l)));
    double[] lv = eval(f, "l", a);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += lv[i * n + k] * lv[j * n + k];
        }
        assertEquals(a[i * n + j], s, 1e-12, "(L L^T)[" + i + "][" + j + "]");
        if (j > i) {
          assertEquals(0.0, lv[i * n + j], "above the diagonal");
        }
      }
    }
    // a random function of L; the elements above A's diagonal are not read: derivative 0
    checkGradient("cholesky " + n, g, List.of(an), l, a, n);
  }

  @Test
  void choleskyRuleThroughAProductOfTheFactorAndItsLogDeterminant() {
    // f = sum(log(diag L)) + w . (L v): the adjoint of L then has elements above its diagonal
    // (from the product), which the rule must ignore since L is zero there whatever A is
    int n = 6;
    SplittableRandom r = new SplittableRandom(7);
    double[] a = randomSpd(r, n);
    double[] v = random(r, n);
    double[] z = new double[n * n + n];
    System.arraycopy(a, 0, z, 0, n * n);
    System.arraycopy(v, 0, z, n * n, n);
    Graph g = new Graph(true);
    Node an = g.input("a", 0, Shape.matrix(n, n));
    Node vn = g.input("v", 1, Shape.vector(n));
    Node l = g.cholesky(an);
    Node f = g.add(g.sum(g.log(g.diagonal(l))), g.sum(g.square(g.matvec(l, vn))));
    checkGradient("log det and product", g, List.of(an, vn), f, z, 1);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 17})
  void triangularSolvesAndTheirRules(int n) {
    SplittableRandom r = new SplittableRandom(n);
    double[] l = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        l[i * n + j] = i == j ? 1 + r.nextDouble() : 0.5 * (2 * r.nextDouble() - 1);
      }
    }
    double[] b = random(r, n);
    double[] z = new double[n * n + n];
    System.arraycopy(l, 0, z, 0, n * n);
    System.arraycopy(b, 0, z, n * n, n);
    for (boolean transposed : new boolean[] {false, true}) {
      Graph g = new Graph(false);
      Node ln = g.input("l", 0, Shape.matrix(n, n));
      Node bn = g.input("b", 1, Shape.vector(n));
      Node x = g.triangularSolve(ln, bn, transposed);
      IrFunction f = new IrFunction(g, List.of(ln, bn), List.of(new IrFunction.Output("x", x)));
      double[] xv = eval(f, "x", z);
      for (int i = 0; i < n; i++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += (transposed ? l[k * n + i] : l[i * n + k]) * xv[k];
        }
        assertEquals(b[i], s, 1e-12, "(L x)[" + i + "], transposed " + transposed);
      }
      checkGradient("trisolve " + n + (transposed ? " transposed" : ""), g, List.of(ln, bn), x, z, n);
    }
  }

  @Test
  void matrixProductsInEveryTranspositionAndTheTranspose() {
    SplittableRandom r = new SplittableRandom(3);
    int m = 3;
    int k = 4;
    int n = 2;
    for (int tA = 0; tA < 2; tA++) {
      for (int tB = 0; tB < 2; tB++) {
        int ta = tA;
        int tb = tB;
        Shape as = ta == 0 ? Shape.matrix(m, k) : Shape.matrix(k, m);
        Shape bs = tb == 0 ? Shape.matrix(k, n) : Shape.matrix(n, k);
        double[] z = random(r, m * k + k * n);
        Graph g = new Graph(false);
        Node a = g.input("a", 0, as);
        Node b = g.input("b", 1, bs);
        Node c = g.matmul(a, b, ta == 1, tb == 1);
        assertEquals(Shape.matrix(m, n), c.shape());
        IrFunction f = new IrFunction(g, List.of(a, b), List.of(new IrFunction.Output("c", c)));
        double[] cv = eval(f, "c", z);
        BiFunction<Integer, Integer, Double> av = (i, p) -> ta == 0 ? z[i * k + p] : z[p * m + i];
        BiFunction<Integer, Integer, Double> bv = (p, j) -> tb == 0 ? z[m * k + p * n + j] : z[m * k + j * k + p];
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double s = av.apply(i, 0) * bv.apply(0, j);
            for (int p = 1; p < k; p++) {
              s += av.apply(i, p) * bv.apply(p, j);
            }
            assertEquals(Double.doubleToRawLongBits(s), Double.doubleToRawLongBits(cv[i * n + j]), "C[" + i + "][" + j + "]");
          }
        }
        checkGradient("matmul " + ta + tb, g, List.of(a, b), c, z, ta * 2 + tb);
      }
    }
    Graph g = new Graph(false);
    Node a = g.input("a", 0, Shape.matrix(2, 3));
    Node t = g.transpose(a);
    assertEquals(Shape.matrix(3, 2), t.shape());
    IrFunction f = new IrFunction(g, List.of(a), List.of(new IrFunction.Output("t", t)));
    assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, eval(f, "t", new double[] {1, 2, 3, 4, 5, 6}));
    checkGradient("transpose", g, List.of(a), t, random(r, 6), 9);
  }

  /**
   * log |det A| of A = L U P for random unit-lower L, upper U and a permutation P (so that
   * pivoting matters): exactly sum(log |U_ii|) up to rounding; its rule (g A^-T) against central
   * differences on random non-symmetric matrices up to 30 x 30, and A^-T A = I.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 11, 30})
  void logDeterminantOfAGeneralMatrixAndItsRule(int n) {
    SplittableRandom r = new SplittableRandom(200 + n);
    double[] lower = new double[n * n];
    double[] upper = new double[n * n];
    double expected = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        lower[i * n + j] = i == j ? 1 : j < i ? 2 * r.nextDouble() - 1 : 0;
        upper[i * n + j] = j > i ? 2 * r.nextDouble() - 1 : 0;
      }
      double d = (0.5 + r.nextDouble()) * (r.nextBoolean() ? 1 : -1);
      upper[i * n + i] = d;
      expected += Math.log(Math.abs(d));
    }
    int[] permutation = range(n);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = permutation[i];
      permutation[i] = permutation[j];
      permutation[j] = t;
    }
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += lower[i * n + k] * upper[k * n + permutation[j]];
        }
        a[i * n + j] = s;
      }
    }
    Graph g = new Graph(false);
    Node an = g.input("a", 0, Shape.matrix(n, n));
    Node logDet = g.logAbsDeterminant(an);
    assertEquals(Shape.SCALAR, logDet.shape());
    IrFunction f = new IrFunction(g, List.of(an), List.of(new IrFunction.Output("d", logDet)));
    assertEquals(expected, eval(f, "d", a)[0], 1e-9 * (1 + Math.abs(expected)), "log |det A|");
    checkGradient("log |det| " + n, g, List.of(an), logDet, a, n);
    // the rule's A^-T: (A^-T)^T A = I
    Graph h = new Graph(false);
    Node ah = h.input("a", 0, Shape.matrix(n, n));
    Node inverseT = h.apply(Op.LOG_ABS_DET_ADJOINT, ah, h.constant(1));
    double[] it = IrEvaluator.evaluate(new IrFunction(h, List.of(ah), List.of(new IrFunction.Output("i", inverseT))), a).get("i");
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += it[k * n + i] * a[k * n + j];
        }
        assertEquals(i == j ? 1 : 0, s, 1e-8, "(A^-1 A)[" + i + "][" + j + "]");
      }
    }
  }

  @Test
  void aSingularMatrixHasALogDeterminantOfMinusInfinity() {
    Graph g = new Graph(false);
    Node a = g.input("a", 0, Shape.matrix(2, 2));
    IrFunction f = new IrFunction(g, List.of(a), List.of(new IrFunction.Output("d", g.logAbsDeterminant(a))));
    assertEquals(Double.NEGATIVE_INFINITY, eval(f, "d", new double[] {1, 2, 2, 4})[0]);
  }

  @Test
  void aMatrixThatIsNotPositiveDefiniteGivesNaN() {
    Graph g = new Graph(false);
    Node a = g.input("a", 0, Shape.matrix(2, 2));
    IrFunction f = new IrFunction(g, List.of(a), List.of(new IrFunction.Output("l", g.cholesky(a))));
    assertTrue(Double.isNaN(eval(f, "l", new double[] {1, 2, 2, 1})[3]));
  }

  @Test
  void shapeRulesRejectWhatTheOpsCannotTake() {
    Graph g = new Graph(false);
    Node w = g.input("w", 0, Shape.matrix(2, 3));
    Node sq = g.input("sq", 1, Shape.matrix(3, 3));
    Node v2 = g.input("v2", 2, Shape.vector(2));
    rejects(() -> g.cholesky(w), "CHOLESKY of a non-square matrix real[2,3]");
    rejects(() -> g.cholesky(v2), "CHOLESKY of real[2]: needs a matrix");
    rejects(() -> g.triangularSolve(sq, v2, false), "TRISOLVE of shapes real[3,3] and real[2]");
    rejects(() -> g.matmul(w, w, false, false), "MATMUL of shapes real[2,3] and real[2,3] [0, 0]: inner sizes 3 and 2");
    rejects(() -> g.matmul(w, v2, false, false), "MATMUL of real[2,3] and real[2]: needs two matrices");
    rejects(() -> g.logAbsDeterminant(w), "LOG_ABS_DET of a non-square matrix real[2,3]");
  }

  private static void rejects(Runnable build, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
    assertEquals(message, e.getMessage());
  }
}
