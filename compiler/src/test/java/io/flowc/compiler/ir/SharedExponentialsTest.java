package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sigmoid, softplus and logaddexp written out around one exponential: as many exponentials as
 * distinct |x|, and every output the runtime functions' bits (the evaluator applies
 * MathFunctions to the original and plain arithmetic to the rewritten function) at ordinary
 * and special arguments.
 */
class SharedExponentialsTest {
  private static final double[] VALUES = {0.0, -0.0, 1e-300, -3.5, 2.25, 0.7, -0.7, 36.0, -745.5, 750.0, 1e308,
      Double.MAX_VALUE, Double.MIN_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};

  /** pot1's mixture and its gradient, a logistic term and its gradient, and a lone sigmoid. */
  private static IrFunction function() {
    Graph g = new Graph(false);
    Node a = g.input("a", 0, Shape.SCALAR);
    Node b = g.input("b", 1, Shape.SCALAR);
    Node x = g.input("x", 2, Shape.SCALAR);
    Node y = g.input("y", 3, Shape.SCALAR);
    return new IrFunction(g, List.of(a, b, x, y), List.of(
        new IrFunction.Output("logaddexp", g.apply(Op.LOGADDEXP, a, b)),
        new IrFunction.Output("sigmoid(a-b)", g.apply(Op.SIGMOID, g.sub(a, b))),
        new IrFunction.Output("sigmoid(b-a)", g.apply(Op.SIGMOID, g.sub(b, a))),
        new IrFunction.Output("softplus(x)", g.apply(Op.SOFTPLUS, x)),
        new IrFunction.Output("sigmoid(-x)", g.apply(Op.SIGMOID, g.neg(x))),
        new IrFunction.Output("sigmoid(y)", g.apply(Op.SIGMOID, y))));
  }

  private static long count(IrFunction f, Op op) {
    return f.liveNodes().stream().filter(n -> n.op() == op).count();
  }

  @Test
  void oneExponentialForEachMagnitudeSharedByTwoOrMore() {
    IrFunction shared = SharedExponentials.apply(function());
    // |a - b| and |x|; the lone sigmoid(y) stays a call
    assertEquals(2, count(shared, Op.EXP));
    assertEquals(0, count(shared, Op.LOGADDEXP) + count(shared, Op.SOFTPLUS));
    assertEquals(1, count(shared, Op.SIGMOID));
  }

  @Test
  void everyOutputIsTheRuntimeFunctionsBits() {
    IrFunction plain = function();
    IrFunction shared = SharedExponentials.apply(plain);
    for (double a : VALUES) {
      for (double b : VALUES) {
        double[] point = {a, b, a, b};
        Map<String, double[]> expected = IrEvaluator.evaluate(plain, point);
        Map<String, double[]> actual = IrEvaluator.evaluate(shared, point);
        for (IrFunction.Output o : plain.outputs()) {
          assertEquals(Double.doubleToLongBits(expected.get(o.name())[0]), Double.doubleToLongBits(actual.get(o.name())[0]),
              o.name() + " at a = " + a + ", b = " + b);
        }
      }
    }
  }

  @Test
  void aFunctionWithNothingToShareIsLeftAsItIs() {
    Graph g = new Graph(false);
    Node x = g.input("x", 0, Shape.SCALAR);
    Node y = g.input("y", 1, Shape.SCALAR);
    IrFunction f = new IrFunction(g, List.of(x, y), List.of(
        new IrFunction.Output("sigmoid", g.apply(Op.SIGMOID, x)),
        new IrFunction.Output("softplus", g.apply(Op.SOFTPLUS, y))));
    assertSame(f, SharedExponentials.apply(f));
  }
}
