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
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Loops over t (docs/language.md, "Loops over time"), t also read as a number: one scan whatever T, the same log density
 * and gradient as the loop written out by hand, gradients over 200 iterations against central
 * differences, every backend and evaluator agreeing bit for bit with methods under 8000 bytes at
 * T = 1000, and the checker's refusals with their lines and columns.
 */
class LoopsTest {

  /** ARMA(1, 1) errors, a GARCH-like scale and a vector state, over T points. */
  static final String RECURSIONS = """
      model m {
        data int T;
        data real y[T];
        param mu;
        param phi;
        param theta;
        param sigma > 0;
        param a in (0, 1);
        mu ~ normal(0, 10);
        phi ~ normal(0, 2);
        theta ~ normal(0, 2);
        sigma ~ cauchy(0, 2.5);
        state err = y[0] - (mu + phi * mu);
        state s = sigma;
        state w = [mu, 0];
        err ~ normal(0, sigma);
        for t in 1:T {
          let nu = mu + phi * y[t - 1] + theta * err;
          err = y[t] - nu;
          s = sqrt(0.1 + a * square(y[t - 1] - mu) + (1 - a) * 0.5 * square(s));
          w = [0.5 * w[1] + a * err, w[0]];
          err ~ normal(0, sigma);
          logp += 0.01 * normal_lpdf(y[t], mu, s);
          potential 0.001 * sum(square(w));
          logp += -0.001 * square(y[t] - mu * t);
        }
        logp += -0.1 * square(err) - 0.05 * sum(w);
      }
      """;

  /** The same model for T = 5 with the loop written out: each iteration's values named by hand. */
  private static final String UNROLLED = """
      model m {
        data int T;
        data real y[T];
        param mu;
        param phi;
        param theta;
        param sigma > 0;
        param a in (0, 1);
        mu ~ normal(0, 10);
        phi ~ normal(0, 2);
        theta ~ normal(0, 2);
        sigma ~ cauchy(0, 2.5);
        let err0 = y[0] - (mu + phi * mu);
        let s0 = sigma;
        let w0 = [mu, 0];
        err0 ~ normal(0, sigma);
        %s
        logp += -0.1 * square(err4) - 0.05 * sum(w4);
      }
      """;

  private static String unrolled() {
    StringBuilder body = new StringBuilder();
    for (int t = 1; t < 5; t++) {
      int p = t - 1;
      body.append(String.format("""
          let err%1$d = y[%1$d] - (mu + phi * y[%2$d] + theta * err%2$d);
          let s%1$d = sqrt(0.1 + a * square(y[%2$d] - mu) + (1 - a) * 0.5 * square(s%2$d));
          let w%1$d = [0.5 * w%2$d[1] + a * err%1$d, w%2$d[0]];
          err%1$d ~ normal(0, sigma);
          logp += 0.01 * normal_lpdf(y[%1$d], mu, s%1$d);
          potential 0.001 * sum(square(w%1$d));
          logp += -0.001 * square(y[%1$d] - mu * %1$d);
          """, t, p));
    }
    return String.format(UNROLLED, body);
  }

  static DataSet series(int length, long seed) {
    Random random = new Random(seed);
    StringBuilder y = new StringBuilder();
    double previous = 0;
    for (int i = 0; i < length; i++) {
      previous = 0.3 + 0.6 * previous + 0.5 * random.nextGaussian();
      y.append(i == 0 ? "" : ",").append(previous);
    }
    return StanJson.parse("{\"T\": " + length + ", \"y\": [" + y + "]}", "series.json");
  }

  private static CheckedModel check(String text, DataSet data) throws Exception {
    return FrontEnd.check(new SourceFile("m.flow", text), data);
  }

  static double[] point(Random random) {
    double[] z = new double[5];
    for (int i = 0; i < z.length; i++) {
      z[i] = 0.5 * random.nextGaussian();
    }
    return z;
  }

  @Test
  void aLoopIsOneScanWhateverItsLength() throws Exception {
    for (int length : new int[] {5, 200}) {
      IrFunction f = Compilation.valueAndGradient(check(RECURSIONS, series(length, 1)));
      long scans = f.graph().nodes().stream().filter(n -> n.op() == Op.SCAN).filter(n -> f.liveNodes().contains(n)).count();
      assertEquals(2, scans, "the loop and its derivative, at T = " + length);
      assertTrue(f.liveNodes().size() < 400, "nothing unrolled: " + f.liveNodes().size() + " nodes at T = " + length);
    }
  }

  /** arma11's log(sigma), of every iteration's normal density, is computed once before the loop. */
  @Test
  void valuesThatNoIterationChangesAreComputedBeforeTheLoop() throws Exception {
    CheckedModel m = io.flowc.compiler.TestPaths.checkExample(io.flowc.compiler.TestPaths.example("arma11"));
    IrFunction f = Compilation.lowered(m);
    List<Node> scans = f.liveNodes().stream().filter(n -> n.op() == Op.SCAN).toList();
    assertEquals(1, scans.size());
    List<Op> body = scans.get(0).scanBody().function().liveNodes().stream().map(Node::op).toList();
    assertTrue(!body.contains(Op.LOG), "the body takes a logarithm: " + body);
    assertTrue(body.contains(Op.DIV) && body.contains(Op.MUL), "the body still computes its density: " + body);
  }

  @Test
  void theLoopGivesTheLogDensityAndGradientOfTheLoopWrittenOut() throws Exception {
    DataSet data = series(5, 2);
    LogDensity looped = Compilation.load(check(RECURSIONS, data));
    CheckedModel byHand = check(unrolled(), data);
    LogDensity unrolled = Compilation.load(byHand);
    Random random = new Random(3);
    for (int k = 0; k < 5; k++) {
      double[] z = point(random);
      double[] g1 = new double[5];
      double[] g2 = new double[5];
      double v1 = looped.logDensityGradient(z, g1, new double[looped.workspaceSize()]);
      double v2 = unrolled.logDensityGradient(z, g2, new double[unrolled.workspaceSize()]);
      assertEquals(v2, v1, 1e-12 * Math.abs(v2), "value at point " + k);
      assertEquals(new Interpreter(byHand).logp(z), v1, 1e-12 * Math.abs(v2), "interpreter at point " + k);
      for (int i = 0; i < 5; i++) {
        assertEquals(g2[i], g1[i], 1e-11 * Math.max(1, Math.abs(g2[i])), "gradient " + i + " at point " + k);
      }
    }
  }

  @Test
  void gradientOverTwoHundredIterationsMatchesCentralDifferences() throws Exception {
    CheckedModel m = check(RECURSIONS, series(200, 4));
    LogDensity density = Compilation.load(m);
    Interpreter interpreter = new Interpreter(m);
    Random random = new Random(5);
    for (int k = 0; k < 3; k++) {
      double[] z = point(random);
      double[] gradient = new double[5];
      double value = density.logDensityGradient(z, gradient, new double[density.workspaceSize()]);
      assertEquals(interpreter.logp(z), value, 1e-12 * Math.abs(value));
      // log p is near 1e4 here: a smaller step loses more to rounding than it gains
      CentralDifferences.assertGradient(gradient, interpreter::logp, z, 1e-4, 1e-6, "point " + k);
    }
  }

  /**
   * Bytecode, Java source, kernel interpreter and IR evaluator bit for bit (at T = 60: the IR
   * evaluator is slow; the posteriordb examples run T = 200 in BackendAgreementTest); every
   * method under 8000 bytes at T = 1000.
   */
  @Test
  void everyBackendAgreesAndMethodsStaySmallOverAThousandIterations() throws Exception {
    new BackendAgreementTest().backendsAgreeWithEachOtherAndWithTheInterpreter(
        new BackendAgreementTest.Case("recursions", RECURSIONS, series(60, 6)));
    byte[] bytecode = BytecodeBackend.emit(Compilation.kernels(check(RECURSIONS, series(1000, 6))),
        BytecodeBackend.JIT_PACKAGE + "Recursions1000");
    for (Map.Entry<String, Integer> method : CodeSizes.of(bytecode).entrySet()) {
      assertTrue(method.getValue() < 8000, method.getKey() + " has " + method.getValue() + " bytes");
    }
  }

  private static List<String> headlines(String body) {
    String text = "model m {\n" + body + "}\n";
    return FrontEnd.analyze(new SourceFile("m.flow", text), series(10, 7)).diagnostics().stream()
        .map(Diagnostic::headline).toList();
  }

  private static final String HEAD = "  data int T;\n  data real y[T];\n  param mu;\n";

  @Test
  void misusesAreReportedAtTheirLinesAndColumns() {
    assertEquals(List.of("m.flow:6:27: 'y[t + 1]' reads element 10 when t = 9, beyond the 10 elements of 'y' (the loop"
        + " reads ahead)"), headlines(HEAD + "  for t in 1:T {\n    logp += normal_lpdf(y[t + 1], mu, 1);\n  }\n"));
    assertEquals(List.of("m.flow:6:27: 'y[t - 2]' reads element -1 when t = 1, before the start of 'y'"),
        headlines(HEAD + "  for t in 1:T {\n    logp += normal_lpdf(y[t - 2], mu, 1);\n  }\n"));
    assertEquals(List.of("m.flow:7:5: 'mu' is a parameter and cannot be assigned: only a state can ('state NAME = ...;'"
        + " before the loop)"), headlines(HEAD + "  logp += -mu * mu;\n  for t in 1:T {\n    mu = y[t];\n  }\n"));
    assertEquals(List.of("m.flow:7:9: state 'r' is a scalar and cannot be assigned a vector of length 2"),
        headlines(HEAD + "  state r = mu;\n  for t in 1:T {\n    r = [y[t], mu];\n    logp += r;\n  }\n"));
    assertEquals(List.of("m.flow:6:5: 'r' is not declared (a loop assigns states: 'state r = ...;' before the loop)"),
        headlines(HEAD + "  for t in 1:T {\n    r = y[t] - mu;\n    logp += -mu;\n  }\n"));
    assertEquals(List.of("m.flow:5:12: the loop 'for t in 10:10' runs no iteration (it runs t = FROM, ..., TO - 1)"),
        headlines(HEAD + "  for t in T:T {\n    logp += -square(y[t] - mu);\n  }\n"));
    assertEquals(List.of("m.flow:7:21: only a vector defined before the loop (data, a parameter or a let) can be"
        + " indexed by 't'"), headlines(HEAD + "  state r = y;\n  for t in 0:T {\n    logp += -square(r[t] - mu);\n  }\n"));
    assertEquals(List.of("m.flow:6:5: loops do not nest: write the inner loop's terms out, or make it a vector expression"),
        headlines(HEAD + "  for t in 0:T {\n    for k in 0:2 {\n      logp += -mu;\n    }\n  }\n"));
    assertEquals(List.of("m.flow:6:5: 'param' cannot be inside a loop: declare it before the loop"),
        headlines(HEAD + "  for t in 0:T {\n    param b;\n    logp += -mu;\n  }\n"));
    assertEquals(List.of("m.flow:5:14: a loop bound must be an integer literal or a 'data int' (plus or minus an integer"
        + " literal)"), headlines(HEAD + "  for t in 0:mu {\n    logp += -mu;\n  }\n"));
  }
}
