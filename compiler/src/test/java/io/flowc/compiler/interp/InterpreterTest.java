package io.flowc.compiler.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference interpreter against independent expectations: hand-computed constants,
 * identities, the language's precedence, broadcasting, the sign convention and the examples.
 */
class InterpreterTest {
  private static final double LN2 = 0.6931471805599453;
  private static final double LN3 = 1.0986122886681098;

  static Interpreter compile(String text) {
    try {
      return new Interpreter(FrontEnd.check(new SourceFile("t.flow", text)));
    } catch (CompileException e) {
      throw new AssertionError("does not compile:\n" + text + "\n" + e.render(), e);
    }
  }

  /** The value of a scalar expression of constants. */
  static double value(String expr) {
    return compile("model t { param unused; potential " + expr + "; }").potential(new double[] {0});
  }

  /** The value of a scalar expression of the scalars x and y. */
  static double value(String expr, double x, double y) {
    return compile("model t { param x; param y; potential " + expr + "; }").potential(new double[] {x, y});
  }

  /** The elements of a vector expression of the vector x. */
  static double[] vector(String expr, int length, double... x) {
    return IntStream.range(0, length)
        .mapToDouble(i -> compile("model t { param x[" + x.length + "]; potential (" + expr + ")[" + i + "]; }").potential(x))
        .toArray();
  }

  private static void assertClose(double expected, double actual, String what) {
    double tolerance = 2e-15 * Math.max(1, Math.abs(expected));
    assertEquals(expected, actual, tolerance, what);
  }

  // ---- built-in functions and constants at points ------------------------------------------

  static Stream<Arguments> builtinValues() {
    double pi = 3.141592653589793;
    double e = 2.718281828459045;
    return Stream.of(
        Arguments.of("pi", pi),
        Arguments.of("e", e),
        Arguments.of("sin(pi / 6)", 0.5),
        Arguments.of("sin(0)", 0.0),
        Arguments.of("cos(pi / 3)", 0.5),
        Arguments.of("cos(pi)", -1.0),
        Arguments.of("tan(pi / 4)", 1.0),
        Arguments.of("asin(0.5)", pi / 6),
        Arguments.of("asin(1)", pi / 2),
        Arguments.of("acos(0.5)", pi / 3),
        Arguments.of("acos(-1)", pi),
        Arguments.of("atan(1)", pi / 4),
        Arguments.of("atan2(1, 1)", pi / 4),
        Arguments.of("atan2(1, -1)", 3 * pi / 4),
        Arguments.of("atan2(-1, -1)", -3 * pi / 4),
        Arguments.of("atan2(0, -1)", pi),
        Arguments.of("atan2(2, 0)", pi / 2),
        Arguments.of("sinh(1)", 1.1752011936438014),
        Arguments.of("cosh(1)", 1.5430806348152437),
        Arguments.of("tanh(0.5)", 0.46211715726000976),
        Arguments.of("tanh(100)", 1.0),
        Arguments.of("exp(0)", 1.0),
        Arguments.of("exp(1)", e),
        Arguments.of("exp(-2)", 0.1353352832366127),
        Arguments.of("expm1(1e-10)", 1.00000000005e-10),
        Arguments.of("expm1(1)", e - 1),
        Arguments.of("log(e)", 1.0),
        Arguments.of("log(1)", 0.0),
        Arguments.of("log(1000)", 6.907755278982137),
        Arguments.of("log1p(1e-10)", 9.9999999995e-11),
        Arguments.of("log1p(e - 1)", 1.0),
        Arguments.of("sqrt(16)", 4.0),
        Arguments.of("sqrt(2)", 1.4142135623730951),
        Arguments.of("square(-3)", 9.0),
        Arguments.of("square(0.5)", 0.25),
        Arguments.of("abs(-2.5)", 2.5),
        Arguments.of("abs(3)", 3.0),
        Arguments.of("pow(2, 10)", 1024.0),
        Arguments.of("pow(4, 0.5)", 2.0),
        Arguments.of("pow(2, -1)", 0.5),
        Arguments.of("min(3, -1)", -1.0),
        Arguments.of("max(3, -1)", 3.0),
        Arguments.of("sigmoid(0)", 0.5),
        Arguments.of("sigmoid(log(3))", 0.75),
        Arguments.of("sigmoid(-log(3))", 0.25),
        Arguments.of("sigmoid(800)", 1.0),
        Arguments.of("sigmoid(-800)", 0.0),
        Arguments.of("logit(0.5)", 0.0),
        Arguments.of("logit(0.75)", LN3),
        Arguments.of("logit(0.25)", -LN3),
        Arguments.of("softplus(0)", LN2),
        Arguments.of("softplus(log(3))", 2 * LN2),
        Arguments.of("softplus(1000)", 1000.0),
        Arguments.of("softplus(-1000)", 0.0),
        Arguments.of("logaddexp(0, 0)", LN2),
        Arguments.of("logaddexp(log(2), log(3))", 1.6094379124341003),
        Arguments.of("logaddexp(1000, 1000)", 1000 + LN2),
        Arguments.of("logaddexp(-1000, -1000)", -1000 + LN2),
        Arguments.of("logaddexp(1000, 0)", 1000.0),
        Arguments.of("erf(0)", 0.0),
        Arguments.of("erf(0.5)", 0.5204998778130465),
        Arguments.of("erf(1)", 0.8427007929497149),
        Arguments.of("erf(-1)", -0.8427007929497149),
        Arguments.of("erfc(0.5)", 0.4795001221869535),
        Arguments.of("erfc(0)", 1.0),
        Arguments.of("erfc(3)", 2.209049699858544e-5),
        Arguments.of("lgamma(0.5)", 0.5723649429247001), // log(sqrt(pi))
        Arguments.of("lgamma(1)", 0.0),
        Arguments.of("lgamma(2)", 0.0),
        Arguments.of("lgamma(5)", 3.1780538303479458), // log(24)
        Arguments.of("lgamma(-0.5)", 1.2655121234846454), // log(2 sqrt(pi)) = log|Gamma(-1/2)|
        Arguments.of("sum([1, 2, 3])", 6.0),
        Arguments.of("mean([1, 2, 3, 4])", 2.5),
        Arguments.of("dot([1, 2, 3], [4, 5, 6])", 32.0),
        Arguments.of("norm([3, 4])", 5.0),
        Arguments.of("norm([-2])", 2.0),
        Arguments.of("logsumexp([0, 0])", LN2),
        Arguments.of("logsumexp(1, 2, 3)", 3.4076059644443806),
        Arguments.of("logsumexp([1, 2], 3)", 3.4076059644443806),
        Arguments.of("logsumexp(1, [2, 3])", 3.4076059644443806),
        Arguments.of("logsumexp([1000, 1000, 1000])", 1000 + LN3),
        Arguments.of("logsumexp([-1000, -1000, -1000])", -1000 + LN3));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("builtinValues")
  void builtinValue(String expr, double expected) {
    assertClose(expected, value(expr), expr);
  }

  static Stream<Arguments> operatorValues() {
    return Stream.of(
        Arguments.of("-2^2", -4.0),
        Arguments.of("2^3^2", 512.0),
        Arguments.of("(2^3)^2", 64.0),
        Arguments.of("(-2)^2", 4.0),
        Arguments.of("2^-1", 0.5),
        Arguments.of("-2^-2", -0.25),
        Arguments.of("--3", 3.0),
        Arguments.of("+-3", -3.0),
        Arguments.of("-2 * 3", -6.0),
        Arguments.of("2 * -3", -6.0),
        Arguments.of("2 * 3 + 4", 10.0),
        Arguments.of("2 + 3 * 4", 14.0),
        Arguments.of("10 - 4 - 3", 3.0),
        Arguments.of("64 / 4 / 2", 8.0),
        Arguments.of("2 * 3 ^ 2", 18.0),
        Arguments.of("[1, 2, 3][1] ^ 2", 4.0),
        Arguments.of("-[1, 2, 3][2]", -3.0),
        Arguments.of("1 / 0", Double.POSITIVE_INFINITY),
        Arguments.of("log(0)", Double.NEGATIVE_INFINITY),
        Arguments.of("1 < 2 ? 10 : 20", 10.0),
        Arguments.of("1 > 0 ? 1 : 2 > 0 ? 2 : 3", 1.0),
        Arguments.of("1 < 0 ? 1 : 2 > 0 ? 2 : 3", 2.0),
        Arguments.of("1 < 0 ? 1 : 2 < 0 ? 2 : 3", 3.0),
        Arguments.of("1 > 0 ? 2 < 0 ? 1 : 2 : 3", 2.0),
        Arguments.of("!(1 < 2) && 1 < 2 || 2 < 1 ? 1 : 0", 0.0),
        Arguments.of("!(1 < 2) && (1 < 2 || 1 < 3) ? 1 : 0", 0.0),
        Arguments.of("1 < 2 || 2 < 1 && 2 < 1 ? 1 : 0", 1.0),
        Arguments.of("(1 < 2 || 2 < 1) && 2 < 1 ? 1 : 0", 0.0),
        Arguments.of("1 + 2 < 2 * 2 ? 1 : 0", 1.0),
        Arguments.of("1 <= 1 && 1 >= 1 && !(1 < 1) && !(1 > 1) ? 1 : 0", 1.0),
        Arguments.of("1 == 1.0 ? 1 : 0", 1.0),
        Arguments.of("1 != 1 ? 1 : 0", 0.0),
        Arguments.of("(1 < 2) == (3 < 4) ? 1 : 0", 1.0),
        Arguments.of("(1 < 2) != (3 < 4) ? 1 : 0", 0.0));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("operatorValues")
  void operatorValue(String expr, double expected) {
    assertEquals(expected, value(expr), expr);
  }

  @Test
  void nanPropagates() {
    assertTrue(Double.isNaN(value("sqrt(-1)")));
    assertTrue(Double.isNaN(value("0 / 0 + 1")));
    assertTrue(Double.isNaN(value("logsumexp(1, sqrt(-1))")));
  }

  // ---- identities ---------------------------------------------------------------------------

  private static final double[] POINTS = {-30, -3.5, -1, -0.1, 0, 1e-8, 0.3, 1, 2.5, 7, 30};

  private static void identity(String lhs, String rhs, double tolerance) {
    for (double x : POINTS) {
      for (double y : new double[] {-2, 0.5, 4}) {
        double l = value(lhs, x, y);
        double r = value(rhs, x, y);
        if (Double.compare(l, r) == 0) {
          continue; // also equal infinities
        }
        assertEquals(r, l, tolerance * Math.max(1, Math.abs(r)), lhs + " vs " + rhs + " at x=" + x + ", y=" + y);
      }
    }
  }

  @Test
  void sigmoidIsSymmetric() {
    identity("sigmoid(x) + sigmoid(-x)", "1", 1e-15);
    identity("sigmoid(x)", "1 / (1 + exp(-x))", 1e-15);
  }

  @Test
  void logitInvertsSigmoid() {
    // the identity is exact; sigmoid rounds near 1, so compare only where it is well conditioned
    for (double x : new double[] {-5, -1, -0.1, 0, 0.3, 1, 2.5}) {
      assertEquals(x, value("logit(sigmoid(x))", x, 0), 1e-14, "at " + x);
    }
  }

  @Test
  void softplusIdentities() {
    identity("softplus(x) - softplus(-x)", "x", 1e-14);
    identity("softplus(x / 10)", "log(1 + exp(x / 10))", 1e-14);
  }

  @Test
  void logaddexpMatchesTheDirectFormulaInTheSafeRange() {
    identity("logaddexp(x, y)", "log(exp(x) + exp(y))", 1e-14);
    identity("logaddexp(x, y)", "logsumexp(x, y)", 1e-15);
    identity("logsumexp([x, y, 0])", "log(exp(x) + exp(y) + 1)", 1e-14);
  }

  @Test
  void errorFunctionIdentities() {
    identity("erf(-x)", "-erf(x)", 0);
    identity("erf(x / 10) + erfc(x / 10)", "1", 1e-15);
  }

  @Test
  void hyperbolicAndExponentialIdentities() {
    // cancellation: the error is that of cosh^2, up to about 100 here
    identity("cosh(x / 10)^2 - sinh(x / 10)^2", "1", 1e-13);
    identity("tanh(x / 10)", "sinh(x / 10) / cosh(x / 10)", 1e-15);
    identity("expm1(x / 10)", "exp(x / 10) - 1", 1e-14);
    identity("log1p(abs(x))", "log(1 + abs(x))", 1e-15);
    identity("square(x)", "x * x", 0);
    identity("pow(abs(x), y)", "abs(x) ^ y", 0);
    identity("atan2(y, 1)", "atan(y)", 1e-15);
  }

  @Test
  void lgammaRecurrence() {
    identity("lgamma(abs(x) + 1.25)", "lgamma(abs(x) + 0.25) + log(abs(x) + 0.25)", 1e-13);
  }

  @Test
  void reductionsAgree() {
    double[] z = {0.5, -1.5, 2, 3.25};
    Interpreter in = compile("""
        model t {
          param z[4];
          potential norm(z)^2 - dot(z, z);
          potential 100 * (sum(square(z)) - dot(z, z));
          potential 1000 * (mean(z) - sum(z) / 4);
        }""");
    assertEquals(0, in.potential(z), 1e-14);
  }

  // ---- broadcasting and elementwise conditionals -----------------------------------------------

  @Test
  void scalarVectorBroadcasting() {
    assertArrayEquals(new double[] {2, 4, 6}, vector("x * 2", 3, 1, 2, 3));
    assertArrayEquals(new double[] {1, 0, -1}, vector("2 - x", 3, 1, 2, 3));
    assertArrayEquals(new double[] {-1, 0, 1}, vector("x - 2", 3, 1, 2, 3));
    assertArrayEquals(new double[] {4, 2, 1}, vector("4 / x", 3, 1, 2, 4));
    assertArrayEquals(new double[] {1, 4, 9}, vector("x ^ 2", 3, 1, 2, 3));
    assertArrayEquals(new double[] {2, 4, 8}, vector("2 ^ x", 3, 1, 2, 3));
    assertArrayEquals(new double[] {-1, -2, -3}, vector("-x", 3, 1, 2, 3));
    assertArrayEquals(new double[] {1, 2, 2}, vector("min(x, 2)", 3, 1, 2, 3));
    assertArrayEquals(new double[] {2, 2, 3}, vector("max(2, x)", 3, 1, 2, 3));
    assertArrayEquals(new double[] {1, 4, 9}, vector("pow(x, 2)", 3, 1, 2, 3));
    assertArrayEquals(new double[] {2, 4, 8}, vector("pow(2, x)", 3, 1, 2, 3));
    assertArrayEquals(new double[] {Math.atan2(1, 2), Math.atan2(2, 2)}, vector("atan2(x, 2)", 2, 1, 2));
    assertArrayEquals(new double[] {Math.atan2(2, 1), Math.atan2(2, 2)}, vector("atan2(2, x)", 2, 1, 2));
    assertArrayEquals(new double[] {LN2, 1 + Math.log1p(Math.exp(-1))}, vector("logaddexp(x, 0)", 2, 0, 1), 1e-15);
  }

  @Test
  void vectorVectorArithmetic() {
    assertArrayEquals(new double[] {11, 22, 33}, vector("x + [10, 20, 30]", 3, 1, 2, 3));
    assertArrayEquals(new double[] {9, 18, 27}, vector("[10, 20, 30] - x", 3, 1, 2, 3));
    assertArrayEquals(new double[] {1, 4, 9}, vector("x * x", 3, 1, 2, 3));
    assertArrayEquals(new double[] {10, 10, 10}, vector("[10, 20, 30] / x", 3, 1, 2, 3));
    assertArrayEquals(new double[] {1, 4, 27}, vector("x ^ [0, 2, 3]", 3, 1, 2, 3));
    assertArrayEquals(new double[] {0, 2, 3}, vector("max(x, [0, 2, 1]) * [0, 1, 1]", 3, 1, 2, 3));
  }

  @Test
  void elementwiseFunctionsApplyToEachElement() {
    double[] x = {-1.5, 0, 0.25, 2};
    String[] functions = {"sin", "cos", "tan", "atan", "sinh", "cosh", "tanh", "exp", "expm1", "abs",
        "square", "sigmoid", "softplus", "erf", "erfc"};
    for (String f : functions) {
      double[] each = IntStream.range(0, x.length).mapToDouble(i -> value(f + "(" + x[i] + ")")).toArray();
      assertArrayEquals(each, vector(f + "(x)", x.length, x), f);
    }
  }

  @Test
  void conditionalIsElementwise() {
    assertArrayEquals(new double[] {-1, 2, 3}, vector("x > 1.5 ? x : -x", 3, 1, 2, 3));
    assertArrayEquals(new double[] {0, 1, 1}, vector("x > 1.5 ? 1 : 0", 3, 1, 2, 3));
    assertArrayEquals(new double[] {0, 20, 30}, vector("x > 1.5 ? [10, 20, 30] : 0", 3, 1, 2, 3));
    assertArrayEquals(new double[] {1, 2, 3}, vector("x[0] > 0 ? x : 2 * x", 3, 1, 2, 3));
    assertArrayEquals(new double[] {2, 4, 6}, vector("x[0] < 0 ? x : 2 * x", 3, 1, 2, 3));
    assertArrayEquals(new double[] {0, 1, 0}, vector("x > 1 && x < 3 ? 1 : 0", 3, 1, 2, 3));
    assertArrayEquals(new double[] {1, 0, 1}, vector("x < 2 || x > 2 ? 1 : 0", 3, 1, 2, 3));
    assertArrayEquals(new double[] {1, 0, 1}, vector("!(x == 2) ? 1 : 0", 3, 1, 2, 3));
    assertArrayEquals(new double[] {1, 0, 1}, vector("x != 2 ? 1 : 0", 3, 1, 2, 3));
    assertArrayEquals(new double[] {1, 0, 1}, vector("(x > 1) == (x > 2) ? 1 : 0", 3, 1, 2, 3));
    assertArrayEquals(new double[] {0, 1, 1}, vector("x >= 2 ? 1 : 0", 3, 1, 2, 3));
    assertArrayEquals(new double[] {1, 1, 0}, vector("x <= 2 ? 1 : 0", 3, 1, 2, 3));
    assertEquals(5, compile("model t { param x[3]; potential (x > 1)[1] ? 5 : 6; }").potential(new double[] {1, 2, 3}));
  }

  // ---- the model's sign convention, layout, lets and functions -----------------------------------

  @Test
  void potentialAndLogpHaveOppositeSigns() {
    Interpreter in = compile("""
        model t {
          param x;
          potential 3 * x;
          logp += x ^ 2;
          potential 1;
          logp += -0.5;
        }""");
    Interpreter.Evaluation at2 = in.evaluate(new double[] {2});
    // U = (3x + 1) - (x^2 - 0.5) = 7 - 3.5
    assertEquals(3.5, at2.potential());
    assertEquals(-3.5, at2.logp());
    assertEquals(3.5, in.potential(new double[] {2}));
    assertEquals(-3.5, in.logp(new double[] {2}));
  }

  @Test
  void onlyLogpTermsGiveTheNegatedPotential() {
    Interpreter in = compile("model t { param x; logp += -0.5 * x ^ 2; }");
    assertEquals(2.0, in.potential(new double[] {2}));
    assertEquals(-2.0, in.logp(new double[] {2}));
  }

  @Test
  void parametersAreLaidOutInDeclarationOrder() {
    Interpreter in = compile("model t { param a; param b[2]; param c; potential a + 10 * b[0] + 100 * b[1] + 1000 * c; }");
    assertEquals(4321, in.potential(new double[] {1, 2, 3, 4}));
  }

  @Test
  void wrongNumberOfValuesIsRefused() {
    Interpreter in = compile("model t { param z[2]; potential sum(z); }");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> in.potential(new double[3]));
    assertEquals("expected 2 values, got 3", e.getMessage());
  }

  @Test
  void letsAndFunctions() {
    Interpreter in = compile("""
        model t {
          param z[3];
          fn f(u, v) = u - v;
          fn ss(v) = sum(v * v);
          fn twice(z) = 2 * z;
          fn g(a) = f(twice(a), 1);
          let a = f(z[0], z[1]);
          let b = a * 10;
          potential a + b + ss(z) + twice(100) + g(z[2]) * 1000;
        }""");
    // a = 1 - 2 = -1, b = -10, ss = 1 + 4 + 9 = 14, twice(100) = 200, g(3) = 6 - 1 = 5
    assertEquals(-1 - 10 + 14 + 200 + 5000, in.potential(new double[] {1, 2, 3}));
  }

  // ---- examples -------------------------------------------------------------------------------

  static CheckedModel example(String name) throws IOException, CompileException {
    return TestPaths.checkExample(TestPaths.example(name));
  }

  @Test
  void normal100IsHalfTheSquaredNorm() throws Exception {
    Interpreter in = new Interpreter(example("normal100"));
    double[] z = IntStream.range(0, 100).mapToDouble(i -> (i - 50) / 10.0).toArray();
    double expected = 0;
    for (double v : z) {
      expected += v * v;
    }
    expected /= 2;
    assertEquals(expected, in.potential(z), 1e-12 * expected);
    assertEquals(-expected, in.logp(z), 1e-12 * expected);
    assertEquals(0, in.potential(new double[100]));
    double[] unit = new double[100];
    unit[37] = 2;
    assertEquals(2, in.potential(unit));
  }

  @Test
  void kitchenSinkEvaluatesToFiniteValues() throws Exception {
    CheckedModel model = example("kitchen_sink");
    assertEquals(4, model.dimension());
    Interpreter in = new Interpreter(model);
    double[][] points = {{0, 0, 0, 0}, {1, 0.5, -2.5, 0}, {-1, 2, 3, 1.5}, {0.3, -0.7, 1.1, -2}, {5, -5, 5, 10}};
    for (double[] z : points) {
      Interpreter.Evaluation ev = in.evaluate(z);
      assertTrue(Double.isFinite(ev.potential()), () -> "not finite at " + java.util.Arrays.toString(z));
      assertEquals(-ev.potential(), ev.logp());
    }
    // the proper part dominates: far out the potential is large
    assertTrue(in.potential(new double[] {10, 10, 10, 10}) > in.potential(new double[] {1, 0.5, -2.5, 0}));
  }

  @Test
  void everyExampleCompilesAndEvaluatesAtZero() throws IOException {
    try (Stream<Path> files = Files.list(TestPaths.examples())) {
      var examples = files.filter(p -> p.toString().endsWith(".flow")).sorted().toList();
      assertFalse(examples.isEmpty(), "no examples under " + TestPaths.examples());
      for (Path p : examples) {
        String name = p.getFileName().toString().replace(".flow", "");
        CheckedModel model;
        try {
          model = example(name);
        } catch (CompileException e) {
          throw new AssertionError(e.render(), e);
        }
        double v = new Interpreter(model).potential(new double[model.dimension()]);
        assertTrue(Double.isFinite(v), name + " at 0: " + v);
      }
    }
  }
}
