package io.flowc.compiler.backend;

import io.flowc.compiler.testing.CentralDifferences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.kernel.KernelInterpreter;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.diagnostics.Convergence;
import io.flowc.runtime.nuts.Nuts;
import io.flowc.runtime.nuts.NutsResult;
import io.flowc.runtime.nuts.NutsSettings;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bounds computed from earlier parameters and data (docs/language.md, "Bounded parameters";
 * Stan's {@code real<lower=0, upper=1 - alpha1> beta1;}): the log-Jacobian against the change of
 * variables by finite differences, gradients (through the bounds too) against central
 * differences, the interpreter, the kernel interpreter and both backends agreeing, the reported
 * constrained values, NUTS on the uniform triangle (known means), and the checker's refusals.
 */
class ComputedBoundsTest {

  private static CheckedModel model(String body, DataSet data) throws Exception {
    return FrontEnd.check(new SourceFile("m.flow", "model m {\n" + body + "\n}\n"), data);
  }

  private static double logp(LogDensity density, double... z) {
    return density.logDensity(z, new double[density.workspaceSize()]);
  }

  /** garch's bounds, flat: log p(u) is then log |det dx/du| alone. */
  private static final String TRIANGLE = "param a in (0, 1);\nparam b in (0, 1 - a);\nlogp += 0;";

  /** Every kind of bound at once: interval, lower, upper, elementwise from data, mixed constant and computed. */
  private static final String MIXED = """
      data int N;
      data real lo[N];
      data real y[N];
      param a in (0, 1);
      param b in (0, 1 - a);
      param c > a + b;
      param d < 2 * c;
      param tau[N] > lo;
      param w[N] in (a, lo + 3);
      fn half(x) = 0.5 * x;
      param h in (half(d) - 1, 5);
      y ~ normal(tau + w * a, c + h * h);
      logp += beta_lpdf(a, 2, 3) + normal_lpdf(d, 0, 2);
      """;

  private static final String MIXED_DATA = "{\"N\": 3, \"lo\": [-1, 0.5, 2], \"y\": [0.3, 1.1, 2.5]}";

  /** x of u by the layout (the model's code), for a 2-d model. */
  private static double[] constrained(CheckedModel m, double... u) {
    double[] x = new double[u.length];
    m.layout().constrain(u, x);
    return x;
  }

  @Test
  void theLogJacobianIsTheLogDeterminantOfTheChangeOfVariables() throws Exception {
    CheckedModel m = model(TRIANGLE, null);
    LogDensity density = Compilation.load(m);
    Random random = new Random(11);
    for (int point = 0; point < 10; point++) {
      double[] u = {2 * random.nextGaussian(), 2 * random.nextGaussian()};
      double h = 1e-5;
      double[][] jacobian = new double[2][2];
      for (int j = 0; j < 2; j++) {
        double[] up = u.clone();
        double[] down = u.clone();
        up[j] += h;
        down[j] -= h;
        double[] xUp = constrained(m, up);
        double[] xDown = constrained(m, down);
        for (int i = 0; i < 2; i++) {
          jacobian[i][j] = (xUp[i] - xDown[i]) / (2 * h);
        }
      }
      double logDet = Math.log(Math.abs(jacobian[0][0] * jacobian[1][1] - jacobian[0][1] * jacobian[1][0]));
      assertEquals(logDet, logp(density, u), 1e-6, "at " + u[0] + ", " + u[1]);
      assertEquals(logDet, new Interpreter(m).logp(u), 1e-6);
    }
  }

  @Test
  void theTriangleCarriesItsAreaOneHalf() throws Exception {
    // the density of u integrates to the area of 0 < b < 1 - a, 0 < a < 1 when the log-Jacobian is right
    LogDensity density = Compilation.load(model(TRIANGLE, null));
    assertEquals(0.5, CentralDifferences.integralOfExp((a, b) -> logp(density, a, b), -20, 1000, -20, 1000, 0.04),
        1e-6);
  }

  @Test
  void constrainedValuesFollowTheBoundsAsStanDefinesThem() throws Exception {
    CheckedModel m = model(MIXED, StanJson.parse(MIXED_DATA, "d.json"));
    double[] u = {0.3, -0.4, 0.2, -1.1, 0.5, -0.5, 0.1, 0.7, -0.2, 1.3, 0.9};
    double[] x = constrained(m, u);
    double a = 1 / (1 + Math.exp(-u[0]));
    double b = (1 - a) / (1 + Math.exp(-u[1]));
    double c = a + b + Math.exp(u[2]);
    double d = 2 * c - Math.exp(u[3]);
    double[] lo = {-1, 0.5, 2};
    double[] expected = {a, b, c, d, 0, 0, 0, 0, 0, 0, 0.5 * d - 1 + (5 - (0.5 * d - 1)) / (1 + Math.exp(-u[10]))};
    for (int i = 0; i < 3; i++) {
      expected[4 + i] = lo[i] + Math.exp(u[4 + i]);
      expected[7 + i] = a + (lo[i] + 3 - a) / (1 + Math.exp(-u[7 + i]));
    }
    for (int i = 0; i < x.length; i++) {
      assertEquals(expected[i], x[i], 1e-14, "element " + i);
    }
    ParameterLayout layout = m.layout();
    assertTrue(layout.hasComputedBounds());
    assertEquals(layout, ParameterLayout.decode(layout.encode()), "artifacts keep which bounds are computed");
  }

  @Test
  void gradientsThroughComputedBoundsMatchCentralDifferences() throws Exception {
    CheckedModel m = model(MIXED, StanJson.parse(MIXED_DATA, "d.json"));
    LogDensity density = Compilation.load(m);
    Interpreter interpreter = new Interpreter(m);
    Random random = new Random(5);
    double[] workspace = new double[density.workspaceSize()];
    for (int point = 0; point < 5; point++) {
      double[] z = new double[m.dimension()];
      for (int i = 0; i < z.length; i++) {
        z[i] = 0.8 * random.nextGaussian();
      }
      double[] gradient = new double[z.length];
      double value = density.logDensityGradient(z, gradient, workspace);
      assertEquals(interpreter.logp(z), value, 1e-11 * Math.max(1, Math.abs(value)));
      CentralDifferences.assertGradient(gradient, interpreter::logp, z, 1e-5, 1e-6, "point " + point);
    }
  }

  @Test
  void bothBackendsAndTheKernelInterpreterAgreeBitForBit() throws Exception {
    CheckedModel m = model(MIXED, StanJson.parse(MIXED_DATA, "d.json"));
    LogDensity bytecode = Compilation.load(m);
    ModelKernels kernels = Compilation.kernels(m);
    LogDensity source = (LogDensity) InMemoryJavac.load(InMemoryJavac.compile(
            JavaSourceBackend.emit(kernels, "io.flowc.generated", "Bounds")), "io.flowc.generated.Bounds")
        .getDeclaredConstructor().newInstance();
    ModelKernels prologue = Compilation.dataPrologue(m);
    LogDensity java = prologue == null ? source
        : new DataBinding(m.dataLayout(), m.dataValues(), (LogDensity) InMemoryJavac.load(InMemoryJavac.compile(
                JavaSourceBackend.emit(prologue, "io.flowc.generated", "BoundsData")), "io.flowc.generated.BoundsData")
            .getDeclaredConstructor().newInstance(), Compilation.dataPlan(m).region()).bind(source);
    if (prologue == null) {
      java = new DataBinding(m.dataLayout(), m.dataValues(), null, Compilation.dataPlan(m).region()).bind(source);
    }
    Random random = new Random(3);
    int n = m.dimension();
    for (int point = 0; point < 3; point++) {
      double[] z = new double[n];
      for (int i = 0; i < n; i++) {
        z[i] = random.nextGaussian();
      }
      double[] g1 = new double[n];
      double[] g2 = new double[n];
      double[] g3 = new double[n];
      double v1 = bytecode.logDensityGradient(z, g1, new double[bytecode.workspaceSize()]);
      double v2 = java.logDensityGradient(z, g2, new double[java.workspaceSize()]);
      double v3 = new KernelInterpreter(kernels.gradient()).run(z, g3, Compilation.dataWorkspace(m, kernels.gradient()),
          null, 0);
      assertEquals(Double.doubleToRawLongBits(v1), Double.doubleToRawLongBits(v2), "Java source value");
      assertEquals(Double.doubleToRawLongBits(v1), Double.doubleToRawLongBits(v3), "kernel interpreter value");
      for (int i = 0; i < n; i++) {
        assertEquals(Double.doubleToRawLongBits(g1[i]), Double.doubleToRawLongBits(g2[i]), "Java source gradient " + i);
        assertEquals(Double.doubleToRawLongBits(g1[i]), Double.doubleToRawLongBits(g3[i]), "kernel interpreter gradient " + i);
      }
    }
  }

  @Test
  void nutsOnTheUniformTriangleHasMeansOneThird() throws Exception {
    // uniform on 0 < b < 1 - a: E[a] = E[b] = 1/3, E[a b] = 1/12
    CheckedModel m = model(TRIANGLE, null);
    NutsResult r = Nuts.sample(Compilation.load(m), NutsSettings.defaults().withChains(4).withTune(1000)
        .withDraws(2000).withSeed(17).withThreads(2)).constrained(m.layout());
    double[][][] draws = r.draws();
    double[] truths = {1.0 / 3, 1.0 / 3};
    for (int k = 0; k < 2; k++) {
      double[][] values = new double[draws.length][];
      double sum = 0;
      int count = 0;
      for (int c = 0; c < draws.length; c++) {
        values[c] = new double[draws[c].length];
        for (int s = 0; s < draws[c].length; s++) {
          values[c][s] = draws[c][s][k];
          assertTrue(draws[c][s][0] > 0 && draws[c][s][1] > 0 && draws[c][s][0] + draws[c][s][1] < 1);
          sum += values[c][s];
          count++;
        }
      }
      double mean = sum / count;
      double se = Convergence.mcseMean(values);
      assertTrue(Math.abs(mean - truths[k]) <= 4 * se && se < 0.01, "element " + k + ": mean " + mean + ", se " + se);
    }
  }

  private static List<String> headlines(String body, String data) {
    String text = "model m {\n" + body + "}\n";
    return FrontEnd.analyze(new SourceFile("m.flow", text), data == null ? null : StanJson.parse(data, "d.json"))
        .diagnostics().stream().map(Diagnostic::headline).toList();
  }

  @Test
  void boundsMayReadOnlyEarlierParametersAndDataOfTheRightShape() {
    assertEquals(List.of(
            "m.flow:5:18: a bound of 'b' may read only earlier parameters and data, not the let 'two'",
            "m.flow:6:13: 'q' is used before its definition at 7:3",
            "m.flow:7:13: a bound of 'q' cannot read 'q' itself",
            "m.flow:8:13: a bound of the scalar 'f' must be a scalar, got a vector of length 3",
            "m.flow:9:16: a bound of 'g' (2 elements) must be a scalar or a vector of 2 elements, got a vector of length 3",
            "m.flow:10:16: a comparison used as a number (0 or 1) must compare data only: this one depends on"
                + " parameter 'a' and has no derivative (choose between values with 'c ? a : b')",
            "m.flow:11:13: a bound of 'z' must be finite (leave it out for no bound)"),
        headlines(String.join("\n",
            "  data real lo[3];",
            "  param a;",
            "  let two = 2 * a;",
            "  param b in (0, two);",
            "  param c < q;",
            "  param q > q;",
            "  param f > lo;",
            "  param g[2] > lo;",
            "  param k > (a > 0);",
            "  param z > 0 / 0;",
            "  logp += a;\n"), "{\"lo\": [1, 2, 3]}"));
  }
}
