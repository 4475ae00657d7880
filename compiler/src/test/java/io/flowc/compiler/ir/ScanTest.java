package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Op#SCAN}: its value (iteration order, reverse, the saved carries, the result layout), its
 * derivative (a reverse scan) against central differences over 200 iterations and against the
 * same body unrolled, copies through {@link Graphs#rebuild}, hash-consing and the verifier.
 */
class ScanTest {
  /** Body: carry c (vector 3), slice x (vector 3), constant a (scalar); c' = 0.5 tanh(a c + x) + 0.4 c, y = sum(c * x). */
  private static ScanBody recurrence() {
    Graph g = new Graph(true);
    Node c = g.input("c", 0, Shape.vector(3));
    Node x = g.input("x", 1, Shape.vector(3));
    Node a = g.input("a", 2, Shape.SCALAR);
    Node next = g.add(g.mul(g.constant(0.5), g.apply(Op.TANH, g.add(g.mul(a, c), x))), g.mul(g.constant(0.4), c));
    Node y = g.sum(g.mul(c, x));
    return new ScanBody(new IrFunction(g, List.of(c, x, a), List.of(
        new IrFunction.Output("c", next), new IrFunction.Output("y", y))), 1, 1);
  }

  /** Objective of a scan of {@code length}: weights . final carry + sum_t t-dependent weights . y_t. */
  private static IrFunction objective(int length, boolean reverse) {
    Graph g = new Graph(true);
    Node init = g.input("init", 0, Shape.vector(3));
    Node xs = g.input("xs", 1, Shape.vector(3 * length));
    Node a = g.input("a", 2, Shape.SCALAR);
    ScanBody body = recurrence();
    Node scan = g.scan(body, length, reverse, true, init, xs, a);
    Node last = g.slice(scan, body.finalCarryOffset(0), 3);
    Node ys = g.slice(scan, body.yOffset(0, length), length);
    Node weights = g.sin(g.broadcast(g.constant(0.3), length));
    Node value = g.add(g.sum(g.mul(last, g.concat(g.constant(1), g.constant(-2), g.constant(0.5)))),
        g.sum(g.mul(ys, g.cos(g.mul(ys, weights)))));
    List<Node> in = List.of(init, xs, a);
    List<IrFunction.Output> outputs = new ArrayList<>();
    outputs.add(new IrFunction.Output("value", value));
    List<Node> gradient = Differentiator.gradient(g, value, in);
    for (int k = 0; k < in.size(); k++) {
      outputs.add(new IrFunction.Output("grad." + k, gradient.get(k)));
    }
    return IrVerifier.verify(new IrFunction(g, in, outputs));
  }

  private static double[] point(int length, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] z = new double[3 + 3 * length + 1];
    for (int i = 0; i < z.length; i++) {
      z[i] = r.nextDouble(-1, 1);
    }
    z[z.length - 1] = 0.8;
    return z;
  }

  @Test
  void valueIsTheBodyIteratedInOrderWithTheCarriesSaved() {
    int length = 5;
    for (boolean reverse : new boolean[] {false, true}) {
      Graph g = new Graph(true);
      Node init = g.input("init", 0, Shape.vector(3));
      Node xs = g.input("xs", 1, Shape.vector(3 * length));
      Node a = g.input("a", 2, Shape.SCALAR);
      ScanBody body = recurrence();
      Node scan = g.scan(body, length, reverse, true, init, xs, a);
      assertEquals(Shape.vector(3 + length + 3 * (length + 1)), scan.shape());
      double[] z = point(length, 3);
      double[] got = IrEvaluator.evaluate(IrVerifier.verify(new IrFunction(g, List.of(init, xs, a),
          List.of(new IrFunction.Output("s", scan)))), z).get("s");
      double[] c = Arrays.copyOfRange(z, 0, 3);
      double av = z[z.length - 1];
      double[] expected = new double[got.length];
      for (int step = 0; step < length; step++) {
        int t = reverse ? length - 1 - step : step;
        System.arraycopy(c, 0, expected, 3 + length + 3 * t, 3);
        double y = 0;
        double[] next = new double[3];
        for (int i = 0; i < 3; i++) {
          double x = z[3 + 3 * t + i];
          y += c[i] * x;
          next[i] = 0.5 * io.flowc.runtime.MathFunctions.tanh(av * c[i] + x) + 0.4 * c[i];
        }
        expected[3 + t] = y;
        c = next;
      }
      System.arraycopy(c, 0, expected, 0, 3);
      System.arraycopy(c, 0, expected, 3 + length + 3 * length, 3);
      assertArrayEquals(expected, got, "reverse " + reverse);
    }
  }

  @Test
  void derivativeOfTwoHundredIterationsMatchesCentralDifferences() {
    int length = 200;
    for (boolean reverse : new boolean[] {false, true}) {
      IrFunction f = objective(length, reverse);
      double[] z = point(length, 7);
      Map<String, double[]> at = IrEvaluator.evaluate(f, z);
      double[] analytic = new double[z.length];
      int offset = 0;
      for (int k = 0; k < 3; k++) {
        double[] part = at.get("grad." + k);
        System.arraycopy(part, 0, analytic, offset, part.length);
        offset += part.length;
      }
      double h = 1e-6;
      for (int i = 0; i < z.length; i++) {
        double[] plus = z.clone();
        double[] minus = z.clone();
        plus[i] += h;
        minus[i] -= h;
        double numeric = (IrEvaluator.evaluate(f, plus).get("value")[0] - IrEvaluator.evaluate(f, minus).get("value")[0]) / (2 * h);
        assertEquals(numeric, analytic[i], 1e-7 * (1 + Math.abs(numeric)), "reverse " + reverse + ", coordinate " + i);
      }
    }
  }

  /**
   * The carry's and the slices' adjoints are the unrolled graph's bit for bit. The constant's is
   * not: the scan adds each iteration's sum(g * c) into its accumulated adjoint, whereas the
   * unrolled graph shares one broadcast of the constant across iterations (hash-consing), adds
   * the iterations' vectors first and sums the elements last; so that one to rounding.
   */
  @Test
  void derivativeEqualsTheUnrolledBodys() {
    int length = 12;
    IrFunction looped = objective(length, false);
    // the same objective with the body copied once per iteration
    Graph g = new Graph(true);
    Node init = g.input("init", 0, Shape.vector(3));
    Node xs = g.input("xs", 1, Shape.vector(3 * length));
    Node a = g.input("a", 2, Shape.SCALAR);
    ScanBody body = recurrence();
    Node c = init;
    Node[] ys = new Node[length];
    for (int t = 0; t < length; t++) {
      Map<Node, Node> copy = new HashMap<>();
      copy.put(body.function().inputs().get(0), c);
      copy.put(body.function().inputs().get(1), g.slice(xs, 3 * t, 3));
      copy.put(body.function().inputs().get(2), a);
      for (Node n : body.function().liveNodes()) {
        if (!copy.containsKey(n)) {
          Node[] args = n.args().stream().map(copy::get).toArray(Node[]::new);
          copy.put(n, g.copyOf(n, args));
        }
      }
      c = copy.get(body.function().outputs().get(0).node());
      ys[t] = copy.get(body.function().outputs().get(1).node());
    }
    Node ysv = g.concat(ys);
    Node weights = g.sin(g.broadcast(g.constant(0.3), length));
    Node value = g.add(g.sum(g.mul(c, g.concat(g.constant(1), g.constant(-2), g.constant(0.5)))),
        g.sum(g.mul(ysv, g.cos(g.mul(ysv, weights)))));
    List<Node> in = List.of(init, xs, a);
    List<IrFunction.Output> outputs = new ArrayList<>();
    outputs.add(new IrFunction.Output("value", value));
    List<Node> gradient = Differentiator.gradient(g, value, in);
    for (int k = 0; k < 3; k++) {
      outputs.add(new IrFunction.Output("grad." + k, gradient.get(k)));
    }
    IrFunction unrolled = IrVerifier.verify(new IrFunction(g, in, outputs));
    double[] z = point(length, 11);
    Map<String, double[]> expected = IrEvaluator.evaluate(unrolled, z);
    Map<String, double[]> got = IrEvaluator.evaluate(looped, z);
    for (String name : List.of("value", "grad.0", "grad.1")) {
      assertArrayEquals(expected.get(name), got.get(name), name);
    }
    assertEquals(expected.get("grad.2")[0], got.get("grad.2")[0], 1e-12 * Math.abs(expected.get("grad.2")[0]));
  }

  @Test
  void copiesKeepTheBodyAndEqualScansAreOneNode() {
    Graph g = new Graph(true);
    Node init = g.input("init", 0, Shape.vector(3));
    Node xs = g.input("xs", 1, Shape.vector(6));
    Node a = g.input("a", 2, Shape.SCALAR);
    ScanBody body = recurrence();
    Node scan = g.scan(body, 2, false, true, init, xs, a);
    assertSame(scan, g.scan(body, 2, false, true, init, xs, a));
    assertTrue(scan != g.scan(body, 2, true, true, init, xs, a), "the direction is part of the node");
    IrFunction f = new IrFunction(g, List.of(init, xs, a), List.of(new IrFunction.Output("s", scan)));
    IrFunction copy = IrVerifier.verify(Graphs.rebuild(f, new Graph(true)));
    Node copied = copy.output("s");
    assertEquals(Op.SCAN, copied.op());
    assertSame(body, copied.scanBody());
    double[] z = point(2, 5);
    assertArrayEquals(IrEvaluator.evaluate(f, z).get("s"), IrEvaluator.evaluate(copy, z).get("s"));
  }

  @Test
  void shapesThatDoNotFitTheBodyAreRejected() {
    Graph g = new Graph(true);
    Node init = g.input("init", 0, Shape.vector(3));
    Node xs = g.input("xs", 1, Shape.vector(7));
    Node a = g.input("a", 2, Shape.SCALAR);
    ScanBody body = recurrence();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.scan(body, 2, false, true, init, xs, a));
    assertTrue(e.getMessage().contains("scan argument 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> g.scan(body, 0, false, true, init, g.input("e", 3, Shape.vector(3)), a));
    Graph b = new Graph(true);
    Node c = b.input("c", 0, Shape.vector(3));
    IrFunction wrongCarry = new IrFunction(b, List.of(c), List.of(new IrFunction.Output("c", b.sum(c))));
    e = assertThrows(IllegalArgumentException.class, () -> new ScanBody(wrongCarry, 1, 0));
    assertTrue(e.getMessage().contains("carry 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> g.apply(Op.SCAN, new int[] {1, 0, 0}, init));
  }
}
