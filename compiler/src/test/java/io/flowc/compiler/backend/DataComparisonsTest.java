package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.kernel.KernelInterpreter;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Comparisons of data as 0/1 numbers (docs/language.md, Stan's comparisons that give ints): the
 * checker's refusals of comparisons that involve a parameter, with their columns; log p against a
 * sum written out here; the interpreter, the kernel interpreter and both backends agreeing.
 */
class DataComparisonsTest {
  private static final double[] Y = {-1.5, 0, 2, 0.5, 3};
  private static final int[] K = {1, 2, 2, 3, 1};
  private static final String DATA = "{\"N\": 5, \"y\": [-1.5, 0, 2, 0.5, 3], \"k\": [1, 2, 2, 3, 1], \"m\": 2}";

  private static final String MODEL = """
      model m {
        data int N;
        data real y[N];
        data int k[N];
        data int m;
        param beta;
        param s > 0;
        let pos = y > 0;
        let group = k == m;
        let band = y >= 0 && y <= 2;
        derived shifted = sum(pos) + beta * (y[0] < 0);
        y ~ normal(pos * beta + group - (k != 1) + band * 0.5 + (y < 1) * s, s + (m >= 2));
        logp += -(m > 1) * beta * beta;
      }
      """;

  private static CheckedModel model() throws Exception {
    return FrontEnd.check(new SourceFile("m.flow", MODEL), StanJson.parse(DATA, "d.json"));
  }

  /** log p written from the model by hand, each comparison as its 0/1 value. */
  private static double byHand(double beta, double u) {
    double s = Math.exp(u);
    double sigma = s + 1; // m >= 2
    double logp = u - beta * beta; // the log-Jacobian of s > 0, and -(m > 1) beta^2
    for (int i = 0; i < Y.length; i++) {
      double mu = (Y[i] > 0 ? beta : 0) + (K[i] == 2 ? 1 : 0) - (K[i] != 1 ? 1 : 0)
          + (Y[i] >= 0 && Y[i] <= 2 ? 0.5 : 0) + (Y[i] < 1 ? s : 0);
      double t = (Y[i] - mu) / sigma;
      logp += -0.5 * t * t - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
    }
    return logp;
  }

  @Test
  void logpOfDataComparisonsIsTheSumWithTheirZeroOneValues() throws Exception {
    CheckedModel m = model();
    LogDensity density = Compilation.load(m);
    for (double[] z : new double[][] {{0.3, -0.2}, {-1.1, 0.7}, {2, 0}}) {
      double expected = byHand(z[0], z[1]);
      assertEquals(expected, new Interpreter(m).logp(z), 1e-12 * Math.abs(expected));
      assertEquals(expected, density.logDensity(z, new double[density.workspaceSize()]), 1e-12 * Math.abs(expected));
    }
  }

  @Test
  void gradientFollowsTheParametersTimesTheZeroOneValues() throws Exception {
    CheckedModel m = model();
    LogDensity density = Compilation.load(m);
    double[] z = {0.4, -0.3};
    double[] gradient = new double[2];
    density.logDensityGradient(z, gradient, new double[density.workspaceSize()]);
    for (int i = 0; i < 2; i++) {
      double h = 1e-6;
      double[] up = z.clone();
      double[] down = z.clone();
      up[i] += h;
      down[i] -= h;
      double difference = (byHand(up[0], up[1]) - byHand(down[0], down[1])) / (2 * h);
      assertEquals(difference, gradient[i], 1e-7 * Math.max(1, Math.abs(difference)), "element " + i);
    }
  }

  /** The bytecode, the Java source of the same kernels (its data prologue too) and the kernel interpreter, bit for bit. */
  @Test
  void bothBackendsAndTheKernelInterpreterAgreeBitForBit() throws Exception {
    CheckedModel m = model();
    LogDensity bytecode = Compilation.load(m);
    ModelKernels kernels = Compilation.kernels(m);
    LogDensity source = (LogDensity) InMemoryJavac.load(InMemoryJavac.compile(
            JavaSourceBackend.emit(kernels, "io.flowc.generated", "Comparisons")), "io.flowc.generated.Comparisons")
        .getDeclaredConstructor().newInstance();
    ModelKernels prologue = Compilation.dataPrologue(m);
    assertNotNull(prologue, "the comparisons of data are computed once per binding");
    LogDensity prologueSource = (LogDensity) InMemoryJavac.load(InMemoryJavac.compile(
            JavaSourceBackend.emit(prologue, "io.flowc.generated", "ComparisonsData")), "io.flowc.generated.ComparisonsData")
        .getDeclaredConstructor().newInstance();
    LogDensity java = new DataBinding(m.dataLayout(), m.dataValues(), prologueSource, Compilation.dataPlan(m).region())
        .bind(source);
    for (double[] z : new double[][] {{0.3, -0.2}, {-1.1, 0.7}}) {
      double[] g1 = new double[2];
      double[] g2 = new double[2];
      double[] g3 = new double[2];
      double v1 = bytecode.logDensityGradient(z, g1, new double[bytecode.workspaceSize()]);
      double v2 = java.logDensityGradient(z, g2, new double[java.workspaceSize()]);
      double v3 = new KernelInterpreter(kernels.gradient()).run(z, g3, Compilation.dataWorkspace(m, kernels.gradient()),
          null, 0);
      assertEquals(Double.doubleToRawLongBits(v1), Double.doubleToRawLongBits(v2), "Java source value");
      assertEquals(Double.doubleToRawLongBits(v1), Double.doubleToRawLongBits(v3), "kernel interpreter value");
      for (int i = 0; i < 2; i++) {
        assertEquals(Double.doubleToRawLongBits(g1[i]), Double.doubleToRawLongBits(g2[i]), "Java source gradient " + i);
        assertEquals(Double.doubleToRawLongBits(g1[i]), Double.doubleToRawLongBits(g3[i]), "kernel interpreter gradient " + i);
      }
      assertEquals(byHand(z[0], z[1]), v1, 1e-12 * Math.abs(v1));
    }
  }

  /** A derived quantity reads comparisons of data as numbers too: sum(y > 0) + beta * (y[0] < 0) = 3 + beta. */
  @Test
  void derivedQuantitiesReadComparisonsOfDataAsNumbers() throws Exception {
    CheckedModel m = model();
    io.flowc.runtime.Reported reported = io.flowc.compiler.driver.DerivedQuantities.of(m);
    assertEquals(List.of("beta", "s", "shifted"), reported.names());
    double[] out = new double[3];
    reported.values(new double[] {0.25, 0}, out);
    assertEquals(3.25, out[2]);
  }

  private static List<String> headlines(String body) {
    String text = "model m {\n" + body + "}\n";
    DataSet data = StanJson.parse(DATA, "d.json");
    return FrontEnd.analyze(new SourceFile("m.flow", text), data).diagnostics().stream().map(Diagnostic::headline).toList();
  }

  private static final String WHY = " and has no derivative (choose between values with 'c ? a : b')";

  @Test
  void aComparisonThatInvolvesAParameterIsRefusedAtItsOperator() {
    List<String> got = headlines("""
          data int N;
          data real y[N];
          param b;
          let pos = y > b;
          let both = y > 0 && b < 1;
          potential sum(pos) + sum(both * y) + (y[0] == b) * 2;
        """);
    String refused = "a comparison used as a number (0 or 1) must compare data only: this one depends on parameter 'b'";
    assertEquals(List.of(
        "m.flow:7:17: " + refused + WHY,
        "m.flow:7:28: " + refused + WHY,
        "m.flow:7:46: " + refused + WHY), got);
  }

  @Test
  void comparisonsOfDataAreAcceptedWhereverARealIs() {
    assertEquals(List.of(), headlines("""
          data int N;
          data real y[N];
          data int k[N];
          data int m;
          param b;
          let pos = y > 0;
          potential sum(pos * b) + (m == 2) * b + sum((y <= 1) + (y >= -1) + (y != 0) + (y < 2)) * b
                    + -(m > 1) + exp(y[0] > 0) + sum([m < 3, 1]) + (m > 1 ? y[0] < 1 : 2) + sum(k == 2);
          logp += y[1] > 0;
        """));
  }

  /** A data matrix times a comparison of data: the comparison's 0/1 values pick columns (Stan's {@code X * (y > 0)}). */
  @Test
  void aMatrixMultipliesAComparisonOfDataAsItsZeroOneValues() throws Exception {
    String model = """
        model m {
          data int N;
          data real X[N, 3];
          data real v[3];
          param b;
          logp += -0.5 * sum(square(X * (v > 0) - b));
        }
        """;
    DataSet data = StanJson.parse("{\"N\": 2, \"X\": [[1, 2, 4], [3, 5, 7]], \"v\": [1, -1, 2]}", "d.json");
    CheckedModel m = FrontEnd.check(new SourceFile("m.flow", model), data);
    double b = 0.5;
    double[] xv = {1 + 4, 3 + 7}; // columns 0 and 2, where v > 0
    double expected = -0.5 * (Math.pow(xv[0] - b, 2) + Math.pow(xv[1] - b, 2));
    LogDensity density = Compilation.load(m);
    double[] gradient = new double[1];
    assertEquals(expected, density.logDensityGradient(new double[] {b}, gradient, new double[density.workspaceSize()]));
    assertEquals(xv[0] - b + xv[1] - b, gradient[0]);
    assertEquals(expected, new Interpreter(m).logp(new double[] {b}));
    List<String> refused = FrontEnd.analyze(new SourceFile("m.flow", model.replace("(v > 0)", "(v > b)")), data)
        .diagnostics().stream().map(Diagnostic::headline).toList();
    assertEquals(List.of("m.flow:6:36: a comparison used as a number (0 or 1) must compare data only: this one"
        + " depends on parameter 'b'" + WHY), refused);
  }
}
