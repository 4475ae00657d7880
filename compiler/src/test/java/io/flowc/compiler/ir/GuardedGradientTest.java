package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.testing.DualInterpreter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A conditional whose untaken branch is undefined there (the square root or logarithm of a
 * negative number, a division by zero) has the gradient of the branch taken: finite, equal to
 * forward-mode dual numbers and to central differences. The adjoint sent into the untaken branch
 * is zero, and zero times the branch's NaN or infinite local derivative must not reach the
 * parameters. Checked for the simplified gradient and for the gradient of the IR as lowered.
 */
class GuardedGradientTest {
  /** Every model has the parameters x, y and v[3]; every point is away from every branch boundary. */
  private static final double[][] POINTS = {
    {1, 2, 1, -1, 2}, {-1, 2, -1, -2, -0.5}, {1.5, -1, 0.5, 2, 1}, {-2, -1.5, 0.7, 0.3, -1.2},
    {0.5, 0.5, -0.4, 1.3, -2}, {150, -3, 1, 1, 1}
  };

  @ParameterizedTest
  @ValueSource(strings = {
    // the report's model, and both polarities
    "0.5 * x^2 + (x > 100 ? sqrt(x - 100) : 0)",
    "x > 0 ? sqrt(x) : x", "x <= 0 ? x : sqrt(x)", "!(x > 0) ? -x : log(x)", "x < 0 ? square(x) : log(x) * y",
    // a division by zero, a logarithm of zero, a square root at zero, a non-integer power of a negative number
    "x > 0 ? 1 / max(x, 0) : y", "x > 0 ? log(max(x, 0)) : 2 * y", "x > 0 ? sqrt(max(x, 0)) : y", "x > 0 ? x^1.5 : x",
    "x > 0 ? y / sqrt(x) : y", "x > 0 ? 0 : 1 / max(-x, 0)",
    // conjunctions, nested conditionals, and the same undefined value in both kinds
    "x > 0 && y > 0 ? sqrt(x) * log(y) : x + y",
    "x > 0 ? (y > 0 ? sqrt(x) * log(y) : sqrt(x)) : (y > 0 ? log(y) : 0)",
    "x > 0 ? (y < 0 ? sqrt(-y) : sqrt(x) + sqrt(y)) : -x * y",
    "x > 0 ? sqrt(x) : (y > 0 ? sqrt(y) * sqrt(-x) : 0)",
    // a value shared by a branch and unconditional code
    "square(x - 0.25) + (x - 0.25 > 0 ? sqrt(x - 0.25) : 0)",
    "log(1 + square(y)) + (y > 0 ? log(1 + square(y)) * log(y) : 0)",
    // a value needed by branches of two conditionals (a disjunction), and at these points by neither
    "y > x + 0.25 ? (y < 1 ? sqrt(1 - y) * x : 0) : (y >= 1 ? y : sqrt(1 - y))",
    "x > 0 ? (y > 0 ? log(x * y) : 0) : (y < 0 ? log(x * y) : 1)",
    // needed by more conditionals than a need spells out literal by literal
    "(y > 3 ? sqrt(1 - x) : 0) + (y > 4 ? sqrt(1 - x) : 0) + (y > 5 ? sqrt(1 - x) : 0) + (y > 6 ? sqrt(1 - x) : 0) + (y > 7 ? sqrt(1 - x) : 0) + (y > 8 ? sqrt(1 - x) : 0) + (y > 9 ? sqrt(1 - x) : 0) + (y > 10 ? sqrt(1 - x) : 0) + (y > 11 ? sqrt(1 - x) : 0) + (y > 12 ? sqrt(1 - x) : 0)",
    // a vector condition: elementwise, a scalar inside it, reduced, indexed, in a literal
    "sum(v > 0 ? sqrt(v) : v)", "sum(v < 0 ? -v : log(v))", "sum(v > 0 ? log(v) * x : x * v)",
    "sum(v > 0 && x > 0 ? sqrt(x) * v : v)", "sum(v > 0 && x > 0 ? log(v) + sqrt(x) : 0)",
    "(v > 0 ? sqrt(v) : v)[1] + (v > 0 ? log(v) : -v)[2]", "v[0] > 0 ? sqrt(v[0]) * v[1] : v[2]",
    "sum([x, y] > 0 ? sqrt([x, y]) : [y, x])", "sum([x, y] > 0 ? [sqrt(x), log(y)] : 0)", "dot(v, v > 0 ? sqrt(v) : 2 * v)",
    "sum(v > 0 ? sqrt(v) : v) + sum(v > 1.25 ? log(v - 1.25) : 0) * x",
    "x > 0 ? sum(v > 0 ? sqrt(v) * sqrt(x) : 0) : 0"
  })
  void gradientFollowsTheTakenBranch(String expr) throws CompileException {
    String text = "model guarded {\n  param x;\n  param y;\n  param v[3];\n  potential 0.5 * (x^2 + y^2 + sum(square(v)));\n"
        + "  potential " + expr + ";\n}\n";
    CheckedModel model = FrontEnd.check(new SourceFile("guarded.flow", text));
    IrFunction simplified = Compilation.valueAndGradient(model);
    IrFunction unsimplified = gradientAsLowered(model);
    Interpreter interpreter = new Interpreter(model);
    DualInterpreter dual = new DualInterpreter(model);
    for (double[] z : POINTS) {
      String where = expr + " at z = " + Arrays.toString(z);
      assertTrue(Double.isFinite(interpreter.potential(z)), "potential not finite: " + where);
      double[] expected = new double[z.length];
      for (int i = 0; i < z.length; i++) {
        double[] t = new double[z.length];
        t[i] = 1;
        expected[i] = dual.logpAndDerivative(z, t).derivative();
        double difference = centralDifference(interpreter, z, i);
        assertEquals(difference, expected[i], 1e-6 * Math.max(1, Math.abs(difference)),
            "dual numbers vs central difference, element " + i + ": " + where);
      }
      assertGradient(expected, gradient(simplified, z), "simplified gradient: " + where);
      assertGradient(expected, gradient(unsimplified, z), "gradient of the IR as lowered: " + where);
    }
  }

  @Test
  void modelOfTheReportHasTheGradientOfItsTakenBranchOnBothSides() throws CompileException {
    CheckedModel model = FrontEnd.check(new SourceFile("guard.flow",
        "model guard {\n  param x;\n  potential 0.5*x^2 + (x > 100 ? sqrt(x - 100) : 0);\n}\n"));
    IrFunction f = Compilation.valueAndGradient(model);
    assertEquals(-1.0, gradient(f, new double[] {1})[0]);
    assertEquals(-(104 + 0.5 / Math.sqrt(4)), gradient(f, new double[] {104})[0], 1e-12);
  }

  /** The gradient of the model's IR as lowered, with no rewriting. */
  private static IrFunction gradientAsLowered(CheckedModel model) {
    IrFunction lowered = Compilation.lowered(model);
    Graph g = lowered.graph();
    List<Node> gradient = Differentiator.gradient(g, g.neg(lowered.output(Compilation.POTENTIAL)), lowered.inputs());
    List<IrFunction.Output> outputs = new ArrayList<>();
    for (int i = 0; i < gradient.size(); i++) {
      outputs.add(new IrFunction.Output(Compilation.gradientName(lowered.inputs().get(i)), gradient.get(i)));
    }
    return lowered.withOutputs(outputs);
  }

  /** d log p / dz at z, laid out as z. */
  private static double[] gradient(IrFunction f, double[] z) {
    Map<String, double[]> out = IrEvaluator.evaluate(f, z);
    double[] gradient = new double[z.length];
    for (Node input : f.inputs()) {
      double[] g = out.get(Compilation.gradientName(input));
      System.arraycopy(g, 0, gradient, f.offsetOf(input), g.length);
    }
    return gradient;
  }

  private static double centralDifference(Interpreter interpreter, double[] z, int i) {
    double h = 1e-6 * Math.max(1, Math.abs(z[i]));
    double[] at = z.clone();
    at[i] = z[i] + h;
    double up = interpreter.logp(at);
    at[i] = z[i] - h;
    double down = interpreter.logp(at);
    return (up - down) / (2 * h);
  }

  private static void assertGradient(double[] expected, double[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      assertTrue(Double.isFinite(actual[i]), "element " + i + " is " + actual[i] + ", " + what);
      assertEquals(expected[i], actual[i], 1e-12 * Math.max(1, Math.abs(expected[i])), "element " + i + ", " + what);
    }
  }
}
