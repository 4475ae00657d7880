package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.testing.DualInterpreter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * At the non-differentiable points of abs, min, max and ?: the gradient follows the conventions
 * documented in {@link Op} (|u|' = +1 at u = 0, min and max follow their first argument on ties,
 * ?: follows the branch taken), applied through the chain rule to the model as written: the
 * simplified gradient, the gradient of the IR as lowered, and forward-mode dual numbers agree
 * exactly there. (Random points never hit these points; these models are built to.)
 */
class KinkConventionsTest {
  /** Points where x, y and the elements of v are zero, equal, or equal and nonzero. */
  private static final double[][] POINTS = {
    {0, 0, 0, 0}, {-0.0, 0, -0.0, 0}, {1, 1, 1, 1}, {0.5, 0.5, -0.5, -0.5}, {-1.5, -1.5, -1.5, 0}
  };

  @ParameterizedTest
  @ValueSource(strings = {
    "abs(x)", "abs(-x)", "abs(0 - x)", "abs(x - y)", "abs(-(x - y))", "abs(-x) + abs(--x)", "abs(x * -2)",
    "sum(abs(-v))", "sum(abs(v - y))", "sum(abs(-(v - x)))", "abs(-v[0]) + abs(-(v[1] - y))",
    "min(x, y)", "max(x, y)", "min(y, x)", "max(-x, -y)", "min(-x, -y)", "min(x, x)", "max(-x, x)",
    "sum(min(v, x))", "sum(max(x, v))", "sum(max(-v, -y))",
    "x >= y ? x : 2 * y", "x > y ? x : 2 * y", "x == y ? -x : y", "sum(v >= x ? v : 2 * v)", "sum(v > -v ? x : -y)"
  })
  void gradientAtKinksFollowsTheDocumentedConventions(String expr) throws CompileException {
    String text = "model kink {\n  param x;\n  param y;\n  param v[2];\n  potential " + expr + ";\n}\n";
    CheckedModel model = FrontEnd.check(new SourceFile("kink.flow", text));
    IrFunction simplified = Compilation.valueAndGradient(model);
    IrFunction lowered = Compilation.lowered(model);
    Graph g = lowered.graph();
    List<Node> asBuilt = Differentiator.gradient(g, g.neg(lowered.output(Compilation.POTENTIAL)), lowered.inputs());
    List<IrFunction.Output> outputs = new ArrayList<>();
    for (int i = 0; i < asBuilt.size(); i++) {
      outputs.add(new IrFunction.Output(Compilation.gradientName(lowered.inputs().get(i)), asBuilt.get(i)));
    }
    IrFunction unsimplified = lowered.withOutputs(outputs);
    DualInterpreter dual = new DualInterpreter(model);

    for (double[] z : POINTS) {
      double[] expected = new double[z.length];
      for (int i = 0; i < z.length; i++) {
        double[] t = new double[z.length];
        t[i] = 1;
        expected[i] = dual.logpAndDerivative(z, t).derivative();
      }
      String where = expr + " at z = " + Arrays.toString(z);
      assertGradient(expected, unsimplified, z, "gradient of the IR as lowered vs dual numbers: " + where);
      assertGradient(expected, simplified, z, "simplified gradient vs dual numbers: " + where);
    }
  }

  private static void assertGradient(double[] expected, IrFunction f, double[] z, String what) {
    Map<String, double[]> out = IrEvaluator.evaluate(f, z);
    double[] gradient = new double[z.length];
    for (Node input : f.inputs()) {
      double[] g = out.get(Compilation.gradientName(input));
      System.arraycopy(g, 0, gradient, f.offsetOf(input), g.length);
    }
    // -0.0 and 0.0 are the same derivative
    for (int i = 0; i < z.length; i++) {
      expected[i] += 0.0;
      gradient[i] += 0.0;
    }
    assertEquals(Arrays.toString(expected), Arrays.toString(gradient), what);
  }
}
