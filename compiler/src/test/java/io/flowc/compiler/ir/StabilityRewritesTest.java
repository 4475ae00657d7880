package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.MathFunctions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The stability rewrites, each at a point where the naive form overflows or underflows: the
 * model as lowered ({@link Compilation#lowered}, no rewriting) gives inf or a value rounded to
 * nothing there, the simplified model ({@link Compilation#value}) the right value, and
 * {@link Compilation#valueAndGradient} finite gradients equal to closed forms. Then the
 * notebook's pot1 at z = (40, 0) and pot4 at z = (0, 30), where the naive potentials are
 * infinite.
 */
class StabilityRewritesTest {
  private static final double REL = 1e-14;
  /**
   * Gradients of log-sum-exp forms are exp(a - value): they carry the rounding of the value, up
   * to |value| * 2^-53 absolute, 1e-13 relative at values near 1000.
   */
  private static final double GRADIENT_REL = 1e-12;

  static CheckedModel model(String text) {
    try {
      return FrontEnd.check(new SourceFile("test.flow", text));
    } catch (Exception e) {
      throw new AssertionError("does not compile: " + text, e);
    }
  }

  static CheckedModel example(String name) throws Exception {
    Path file = TestPaths.example(name);
    return FrontEnd.check(new SourceFile(file.getFileName().toString(), Files.readString(file)));
  }

  static double potential(IrFunction f, double... z) {
    return IrEvaluator.evaluate(f, z).get(Compilation.POTENTIAL)[0];
  }

  static Set<Op> ops(IrFunction f) {
    return f.liveNodes().stream().map(Node::op).collect(Collectors.toSet());
  }

  static void close(double expected, double actual, double rel, String what) {
    assertTrue(Double.isFinite(actual), () -> what + " = " + actual);
    assertEquals(expected, actual, rel * Math.max(Math.abs(expected), Double.MIN_NORMAL), what);
  }

  /** The gradient of log p, flattened in parameter order. */
  static double[] gradient(CheckedModel m, double... z) {
    IrFunction f = Compilation.valueAndGradient(m);
    Map<String, double[]> at = IrEvaluator.evaluate(f, z);
    return f.inputs().stream().flatMapToDouble(in -> Arrays.stream(at.get(Compilation.gradientName(in)))).toArray();
  }

  /** The gradient of log p of the model as lowered, differentiated without any rewriting. */
  static double[] naiveGradient(CheckedModel m, double... z) {
    IrFunction lowered = Compilation.lowered(m);
    Graph g = lowered.graph();
    List<Node> grad = Differentiator.gradient(g, g.neg(lowered.output(Compilation.POTENTIAL)), lowered.inputs());
    List<IrFunction.Output> outs = grad.stream().map(n -> new IrFunction.Output("d" + n.id(), n)).toList();
    Map<String, double[]> at = IrEvaluator.evaluate(new IrFunction(g, lowered.inputs(), outs), z);
    return at.values().stream().flatMapToDouble(Arrays::stream).toArray();
  }

  /** A stable op replaces the naive ones; the naive form at z is {@code naive}; the rewritten is {@code exact}. */
  static void rewritten(CheckedModel m, Op stable, Set<Op> gone, double naive, double exact, double... z) {
    IrFunction lowered = Compilation.lowered(m);
    IrFunction value = Compilation.value(m);
    assertTrue(ops(value).contains(stable), () -> stable + " expected in\n" + IrPrinter.print(value));
    for (Op op : gone) {
      assertFalse(ops(value).contains(op), () -> op + " left in\n" + IrPrinter.print(value));
    }
    double n = potential(lowered, z);
    assertEquals(naive, n, 0.0, () -> "the naive form at " + Arrays.toString(z));
    close(exact, potential(value, z), REL, "the rewritten form at " + Arrays.toString(z));
    IrFunction withGradient = Compilation.valueAndGradient(m);
    close(exact, potential(withGradient, z), REL, "the potential next to the gradient");
    close(-exact, IrEvaluator.evaluate(withGradient, z).get(Compilation.LOGP)[0], REL, "log p");
  }

  @Test
  void logOfASumOfTwoExpsBecomesLogaddexp() {
    CheckedModel m = model("model m { param a; param b; potential log(exp(a) + exp(b)); }");
    Set<Op> gone = Set.of(Op.LOG, Op.EXP, Op.ADD);
    rewritten(m, Op.LOGADDEXP, gone, Double.POSITIVE_INFINITY, 1000 + Math.log(2), 1000, 1000);
    rewritten(m, Op.LOGADDEXP, gone, Double.NEGATIVE_INFINITY, -1000 + Math.log(2), -1000, -1000);
    rewritten(m, Op.LOGADDEXP, gone, Double.POSITIVE_INFINITY, 1000, 1000, 0);
    // d log p / da = -exp(a) / (exp(a) + exp(b)), a softmax weight
    assertArrayEquals(new double[] {-0.5, -0.5}, gradient(m, 1000, 1000), "at (1000, 1000)");
    assertArrayEquals(new double[] {-0.5, -0.5}, gradient(m, -1000, -1000), "at (-1000, -1000)");
    assertArrayEquals(new double[] {-1, -Math.exp(-1000)}, gradient(m, 1000, 0), "at (1000, 0)");
    double w = 1 / (1 + Math.exp(-1)); // a - b = 1
    assertArrayEquals(new double[] {-w, -(1 - w)}, gradient(m, 800, 799), "at (800, 799)");
    assertNonFinite(naiveGradient(m, 1000, 1000), "the naive gradient at (1000, 1000)");
    // where the naive form is fine both agree
    close(potential(Compilation.lowered(m), 0.3, -1.2), potential(Compilation.value(m), 0.3, -1.2), REL, "at (0.3, -1.2)");
  }

  @Test
  void logOfASumOfExpsBecomesLogsumexp() {
    CheckedModel m = model("model m { param v[3]; potential log(sum(exp(v))); }");
    Set<Op> gone = Set.of(Op.LOG, Op.EXP, Op.SUM);
    double e1 = Math.exp(-1);
    rewritten(m, Op.LOGSUMEXP, gone, Double.POSITIVE_INFINITY, 1000 + Math.log(2 + e1), 1000, 1000, 999);
    rewritten(m, Op.LOGSUMEXP, gone, Double.NEGATIVE_INFINITY, -1000 + Math.log(3), -1000, -1000, -1000);
    // the gradient of log p is minus the softmax
    double s = 2 + e1;
    assertArrayEquals(new double[] {-1 / s, -1 / s, -e1 / s}, gradient(m, 1000, 1000, 999), "at (1000, 1000, 999)");
    assertArrayEquals(new double[] {-1 / 3.0, -1 / 3.0, -1 / 3.0}, gradient(m, -1000, -1000, -1000), "at -1000");
    assertNonFinite(naiveGradient(m, 1000, 1000, 999), "the naive gradient at (1000, 1000, 999)");
    // logsumexp of several scalars is the same op on their concatenation
    CheckedModel scalars = model("model m { param a; param b; potential log(sum(exp([a, b, 0]))); }");
    rewritten(scalars, Op.LOGSUMEXP, gone, Double.POSITIVE_INFINITY, 1000 + Math.log(2), 1000, 1000);
  }

  @Test
  void logOfOnePlusXBecomesLog1p() {
    for (String form : List.of("log(1 + x)", "log(x + 1)")) {
      CheckedModel m = model("model m { param x; potential " + form + "; }");
      rewritten(m, Op.LOG1P, Set.of(Op.LOG, Op.ADD), 0.0, 1e-20, 1e-20);
      rewritten(m, Op.LOG1P, Set.of(Op.LOG, Op.ADD), 0.0, -1e-20, -1e-20);
      rewritten(m, Op.LOG1P, Set.of(Op.LOG, Op.ADD), Math.log(1 + 1e-10), Math.log1p(1e-10), 1e-10);
      assertArrayEquals(new double[] {-1}, gradient(m, 1e-20), form + " at 1e-20");
      assertArrayEquals(new double[] {-1 / 1.5}, gradient(m, 0.5), form + " at 0.5");
    }
  }

  @Test
  void logOfOneMinusXBecomesLog1pOfMinusX() {
    CheckedModel m = model("model m { param x; potential log(1 - x); }");
    rewritten(m, Op.LOG1P, Set.of(Op.LOG, Op.SUB), 0.0, -1e-20, 1e-20);
    rewritten(m, Op.LOG1P, Set.of(Op.LOG, Op.SUB), Math.log(1 - 1e-10), Math.log1p(-1e-10), 1e-10);
    // d log p / dx = -d/dx log(1 - x) = 1 / (1 - x)
    assertArrayEquals(new double[] {1}, gradient(m, 1e-20), "at 1e-20");
    assertArrayEquals(new double[] {2}, gradient(m, 0.5), "at 0.5");
  }

  @Test
  void logOfOnePlusExpBecomesSoftplus() {
    for (String form : List.of("log(1 + exp(x))", "log(exp(x) + 1)", "log1p(exp(x))", "softplus(x)")) {
      CheckedModel m = model("model m { param x; potential " + form + "; }");
      Set<Op> gone = Set.of(Op.LOG, Op.LOG1P, Op.EXP, Op.ADD);
      double naiveLarge = form.equals("softplus(x)") ? 1000 : Double.POSITIVE_INFINITY;
      rewritten(m, Op.SOFTPLUS, gone, naiveLarge, 1000, 1000);
      // exp(-40) vanishes next to 1: log(1 + exp(-40)) rounds to 0
      double naiveSmall = form.startsWith("log(") ? 0.0 : Math.exp(-40);
      rewritten(m, Op.SOFTPLUS, gone, naiveSmall, Math.exp(-40) - Math.exp(-80) / 2, -40);
      // d log p / dx = -sigmoid(x)
      assertArrayEquals(new double[] {-1}, gradient(m, 1000), form + " at 1000");
      assertArrayEquals(new double[] {-MathFunctions.sigmoid(-40)}, gradient(m, -40), form + " at -40");
      assertArrayEquals(new double[] {-MathFunctions.sigmoid(2)}, gradient(m, 2), form + " at 2");
      if (naiveLarge == Double.POSITIVE_INFINITY) {
        assertNonFinite(naiveGradient(m, 1000), "the naive gradient of " + form + " at 1000");
      }
    }
  }

  @Test
  void expMinusOneBecomesExpm1() {
    for (String form : List.of("exp(x) - 1", "exp(x) + -1", "exp(x) + (-1)", "-1 + exp(x)")) {
      CheckedModel m = model("model m { param x; potential " + form + "; }");
      rewritten(m, Op.EXPM1, Set.of(Op.EXP, Op.SUB, Op.ADD), 0.0, 1e-20, 1e-20);
      rewritten(m, Op.EXPM1, Set.of(Op.EXP, Op.SUB, Op.ADD), 0.0, -1e-20, -1e-20);
      rewritten(m, Op.EXPM1, Set.of(Op.EXP, Op.SUB, Op.ADD), Math.exp(1e-10) - 1, Math.expm1(1e-10), 1e-10);
      assertArrayEquals(new double[] {-1}, gradient(m, 1e-20), form + " at 1e-20");
      assertArrayEquals(new double[] {-Math.exp(3)}, gradient(m, 3), form + " at 3");
    }
  }

  @Test
  void theRewritesApplyToVectorsElementwise() {
    CheckedModel m = model("model m { param a[2]; param b[2]; potential sum(log(exp(a) + exp(b)) + log(1 + exp(a)) + (exp(b) - 1)); }");
    IrFunction value = Compilation.value(m);
    assertTrue(ops(value).containsAll(Set.of(Op.LOGADDEXP, Op.SOFTPLUS, Op.EXPM1)), () -> IrPrinter.print(value));
    assertFalse(ops(value).contains(Op.LOG), () -> IrPrinter.print(value));
    assertFalse(ops(value).contains(Op.EXP), () -> IrPrinter.print(value));
    double[] z = {1000, -3, 2, 1e-20};
    assertEquals(Double.POSITIVE_INFINITY, potential(Compilation.lowered(m), z));
    double expected = MathFunctions.logaddexp(1000, 2) + MathFunctions.logaddexp(-3, 1e-20) + 1000 + MathFunctions.softplus(-3)
        + Math.expm1(2) + Math.expm1(1e-20);
    close(expected, potential(value, z), REL, "potential");
    double wa0 = 1 / (1 + Math.exp(2 - 1000.0));
    double wa1 = 1 / (1 + Math.exp(1e-20 + 3));
    assertArrayEquals(new double[] {
      -(wa0 + 1), -(wa1 + MathFunctions.sigmoid(-3)), -((1 - wa0) + Math.exp(2)), -((1 - wa1) + Math.exp(1e-20))
    }, gradient(m, z), "gradient");
    assertNonFinite(naiveGradient(m, z), "the naive gradient");
  }

  // ---- the notebook's potentials far from their modes --------------------------------------------

  /** pot1: U = 0.5 ((r - 2) / 0.4)^2 - logaddexp(A, B), A = -0.5 ((z0 - 2) / 0.6)^2, B = -0.5 ((z0 + 2) / 0.6)^2. */
  static double[] pot1(double z0, double z1) {
    double r = Math.hypot(z0, z1);
    double a = -0.5 * Math.pow((z0 - 2) / 0.6, 2);
    double b = -0.5 * Math.pow((z0 + 2) / 0.6, 2);
    double l = MathFunctions.logaddexp(a, b);
    double u = 0.5 * Math.pow((r - 2) / 0.4, 2) - l;
    double wa = Math.exp(a - l);
    double wb = Math.exp(b - l);
    double ring = (r - 2) / 0.16 / r;
    double du0 = ring * z0 - (wa * -(z0 - 2) / 0.36 + wb * -(z0 + 2) / 0.36);
    double du1 = ring * z1;
    return new double[] {u, -du0, -du1};
  }

  /**
   * pot4: U = -logaddexp(A, B) + 0.1 |z0|, A = -0.5 ((z1 - w1) / 0.4)^2, B = -0.5 ((z1 - w1 + w3) / 0.35)^2,
   * w1 = sin(pi z0 / 2), w3 = 3 sigmoid((z0 - 1) / 0.3); d|z0|/dz0 is +1 at 0.
   */
  static double[] pot4(double z0, double z1) {
    double w1 = Math.sin(2 * Math.PI * z0 / 4);
    double dw1 = Math.PI / 2 * Math.cos(2 * Math.PI * z0 / 4);
    double s = MathFunctions.sigmoid((z0 - 1) / 0.3);
    double w3 = 3 * s;
    double dw3 = 3 * s * (1 - s) / 0.3;
    double p = z1 - w1;
    double q = z1 - w1 + w3;
    double a = -0.5 * Math.pow(p / 0.4, 2);
    double b = -0.5 * Math.pow(q / 0.35, 2);
    double l = MathFunctions.logaddexp(a, b);
    double u = -l + 0.1 * Math.abs(z0);
    double wa = Math.exp(a - l);
    double wb = Math.exp(b - l);
    double da0 = -p / 0.16 * -dw1;
    double db0 = -q / 0.1225 * (-dw1 + dw3);
    double da1 = -p / 0.16;
    double db1 = -q / 0.1225;
    double du0 = -(wa * da0 + wb * db0) + 0.1 * (z0 >= 0 ? 1 : -1);
    double du1 = -(wa * da1 + wb * db1);
    return new double[] {u, -du0, -du1};
  }

  /** The notebook's potentials where plain evaluation gives inf/NaN: finite, and right. */
  @Test
  void pot1AndPot4AreFiniteFarFromTheirModes() throws Exception {
    check("pot1", example("pot1"), new double[] {40, 0}, pot1(40, 0), true);
    check("pot4", example("pot4"), new double[] {0, 30}, pot4(0, 30), true);
    // more of the tails, and points near the modes where the naive forms are fine too
    check("pot1", example("pot1"), new double[] {-40, 3}, pot1(-40, 3), true);
    check("pot1", example("pot1"), new double[] {30, -25}, pot1(30, -25), true);
    check("pot4", example("pot4"), new double[] {0.25, 30}, pot4(0.25, 30), true);
    check("pot4", example("pot4"), new double[] {-2, -40}, pot4(-2, -40), true);
    check("pot1", example("pot1"), new double[] {1.5, 0.7}, pot1(1.5, 0.7), false);
    check("pot4", example("pot4"), new double[] {0.4, -0.3}, pot4(0.4, -0.3), false);
  }

  private static void check(String name, CheckedModel m, double[] z, double[] closedForm, boolean naiveFails) {
    String at = name + " at z = " + Arrays.toString(z);
    double naive = potential(Compilation.lowered(m), z);
    double[] naiveGrad = naiveGradient(m, z);
    if (naiveFails) {
      assertFalse(Double.isFinite(naive), () -> at + ": the naive potential is " + naive + " (the test point does not stress it)");
      assertNonFinite(naiveGrad, at + ": the naive gradient");
    }
    IrFunction f = Compilation.valueAndGradient(m);
    Map<String, double[]> values = IrEvaluator.evaluate(f, z);
    double u = values.get(Compilation.POTENTIAL)[0];
    double logp = values.get(Compilation.LOGP)[0];
    double[] grad = gradient(m, z);
    close(closedForm[0], u, 1e-13, at + ": potential");
    assertEquals(-u, logp, 0.0, at + ": log p");
    close(u, potential(Compilation.value(m), z), 0, at + ": the potential alone");
    for (int i = 0; i < grad.length; i++) {
      double scale = Math.max(1, Math.abs(closedForm[1 + i]));
      int ii = i;
      assertTrue(Double.isFinite(grad[i]), () -> at + ": gradient element " + ii + " = " + grad[ii]);
      assertEquals(closedForm[1 + i], grad[i], 1e-11 * scale, at + ": gradient element " + i + " against the closed form");
    }
    if (!naiveFails) {
      assertEquals(naive, u, 1e-13 * Math.abs(u), at + ": the naive potential where it works");
      for (int i = 0; i < grad.length; i++) {
        assertEquals(naiveGrad[i], grad[i], 1e-11 * Math.max(1, Math.abs(grad[i])), at + ": the naive gradient where it works");
      }
    }
    // a sixth-order central difference of the stable potential (away from the kink of |z0| at 0)
    IrFunction value = Compilation.value(m);
    for (int i = 0; i < z.length; i++) {
      if (name.equals("pot4") && i == 0 && Math.abs(z[0]) < 0.01) {
        continue;
      }
      double[] e = new double[z.length];
      e[i] = 1;
      double fd = -OpRulesTest.centralDifference(value, Compilation.POTENTIAL, z, e)[0];
      assertEquals(fd, grad[i], 1e-7 * Math.max(1, Math.abs(fd)), at + ": gradient element " + i + " against a central difference");
    }
  }

  private static void assertNonFinite(double[] v, String what) {
    assertTrue(Arrays.stream(v).anyMatch(x -> !Double.isFinite(x)), () -> what + " is finite: " + Arrays.toString(v));
  }

  private static void assertArrayEquals(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      int ii = i;
      assertTrue(Double.isFinite(a), () -> what + ": element " + ii + " = " + a);
      assertEquals(e, a, GRADIENT_REL * Math.max(Math.abs(e), Double.MIN_NORMAL), () -> what + ": element " + ii);
    }
  }
}
