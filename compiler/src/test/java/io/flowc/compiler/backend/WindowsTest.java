package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.testing.CentralDifferences;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataSet;
import java.nio.file.Files;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Windows {@code y[t - K:t]} in loops and {@code reverse} (docs/language.md, "Loops over time"):
 * posteriordb's AR(K) written with a window gives the log density and gradient of its five lags
 * written out, the gradient matches central differences of the reference interpreter, every
 * backend agrees bit for bit, and misuses are reported with their lines and columns.
 */
class WindowsTest {

  /** examples/arK.flow before it took a window: K = 5 lags written out. */
  private static final String LAGS_WRITTEN_OUT = """
      model arK {
        data int K;
        data int T;
        data real y[T];
        param alpha;
        param beta[K];
        param sigma > 0;
        alpha ~ normal(0, 10);
        beta ~ normal(0, 10);
        sigma ~ cauchy(0, 2.5);
        for t in K:T {
          let mu = alpha + beta[0] * y[t - 1] + beta[1] * y[t - 2] + beta[2] * y[t - 3] + beta[3] * y[t - 4]
              + beta[4] * y[t - 5];
          y[t] ~ normal(mu, sigma);
        }
      }
      """;

  private static CheckedModel example() throws Exception {
    return TestPaths.checkExample(TestPaths.example("arK"));
  }

  private static double[] point(Random random, int n) {
    double[] z = new double[n];
    for (int i = 0; i < n; i++) {
      z[i] = 0.3 * random.nextGaussian();
    }
    return z;
  }

  @Test
  void arKWithAWindowIsItsLagsWrittenOut() throws Exception {
    CheckedModel window = example();
    DataSet data = TestPaths.exampleData(TestPaths.example("arK"));
    CheckedModel lags = FrontEnd.check(new SourceFile("lags.flow", LAGS_WRITTEN_OUT), data);
    LogDensity a = Compilation.load(window);
    LogDensity b = Compilation.load(lags);
    Interpreter interpreter = new Interpreter(window);
    int n = window.dimension();
    Random random = new Random(8);
    for (int k = 0; k < 4; k++) {
      double[] z = point(random, n);
      double[] ga = new double[n];
      double[] gb = new double[n];
      double va = a.logDensityGradient(z, ga, new double[a.workspaceSize()]);
      double vb = b.logDensityGradient(z, gb, new double[b.workspaceSize()]);
      assertEquals(vb, va, 1e-12 * Math.abs(vb), "log density at point " + k);
      assertEquals(interpreter.logp(z), va, 1e-12 * Math.abs(vb), "interpreter at point " + k);
      for (int i = 0; i < n; i++) {
        assertEquals(gb[i], ga[i], 1e-10 * Math.max(1, Math.abs(gb[i])), "gradient " + i + " at point " + k);
      }
      CentralDifferences.assertGradient(ga, interpreter::logp, z, 1e-5, 1e-6, "point " + k);
    }
  }

  /** The same example with K = 3 in its data is an AR(3): three lags written out. */
  @Test
  void arKTakesAnyKFromItsData() throws Exception {
    DataSet five = TestPaths.exampleData(TestPaths.example("arK"));
    double[] y = five.get("y").elements();
    StringBuilder json = new StringBuilder("{\"K\": 3, \"T\": " + y.length + ", \"y\": [");
    for (int i = 0; i < y.length; i++) {
      json.append(i == 0 ? "" : ", ").append(y[i]);
    }
    DataSet three = io.flowc.runtime.data.StanJson.parse(json.append("]}").toString(), "three.json");
    CheckedModel window = FrontEnd.check(new SourceFile("arK.flow", Files.readString(TestPaths.example("arK"))), three);
    CheckedModel lags = FrontEnd.check(new SourceFile("lags.flow", LAGS_WRITTEN_OUT.replace(
        " + beta[3] * y[t - 4]\n        + beta[4] * y[t - 5]", "")), three);
    assertEquals(5, window.dimension());
    LogDensity a = Compilation.load(window);
    LogDensity b = Compilation.load(lags);
    double[] z = point(new Random(9), 5);
    double[] ga = new double[5];
    double[] gb = new double[5];
    double va = a.logDensityGradient(z, ga, new double[a.workspaceSize()]);
    double vb = b.logDensityGradient(z, gb, new double[b.workspaceSize()]);
    assertEquals(vb, va, 1e-12 * Math.abs(vb));
    for (int i = 0; i < 5; i++) {
      assertEquals(gb[i], ga[i], 1e-10 * Math.max(1, Math.abs(gb[i])), "gradient " + i);
    }
  }

  @Test
  void everyBackendAgreesOnAWindow() throws Exception {
    String source = Files.readString(TestPaths.example("arK"));
    new BackendAgreementTest().backendsAgreeWithEachOtherAndWithTheInterpreter(
        new BackendAgreementTest.Case("arK window", source, TestPaths.exampleData(TestPaths.example("arK"))));
  }

  private static List<String> headlines(String body) {
    String text = "model m {\n  data int K;\n  data int T;\n  data real y[T];\n  param b[K];\n" + body + "}\n";
    DataSet data = io.flowc.runtime.data.StanJson.parse(
        "{\"K\": 3, \"T\": 10, \"y\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}", "d.json");
    return FrontEnd.analyze(new SourceFile("m.flow", text), data).diagnostics().stream().map(Diagnostic::headline).toList();
  }

  @Test
  void misusedWindowsAreReportedAtTheirLinesAndColumns() {
    assertEquals(List.of("m.flow:7:27: 'y[t - K:t + 2]' reads element 10 when t = 9, beyond the 10 elements of 'y'"
        + " (the loop reads ahead)"), headlines("  for t in K:T {\n    logp += -square(sum(y[t - K:t + 2]) - b[0]);\n  }\n"));
    assertEquals(List.of("m.flow:7:30: 'y[t - K:t]' reads element -1 when t = 2, before the start of 'y'"),
        headlines("  for t in 2:T {\n    logp += -square(dot(b, y[t - K:t]));\n  }\n"));
    assertEquals(List.of("m.flow:7:28: the window '[t:t - 1]' is empty: its end must come after its start"),
        headlines("  for t in K:T {\n    logp += -square(sum(y[t:t - 1]) - b[0]);\n  }\n"));
    assertEquals(List.of("m.flow:6:16: a window 'v[a:b]' is read inside a loop, its bounds the loop's index plus or minus"
        + " an integer literal or a 'data int' ('y[t - K:t]')"), headlines("  logp += -sum(y[0:3]) * b[0];\n"));
    assertEquals(List.of("m.flow:6:23: 'reverse' takes 1 argument, got 2"),
        headlines("  logp += -b[0] * sum(reverse(b, b));\n"));
  }
}
