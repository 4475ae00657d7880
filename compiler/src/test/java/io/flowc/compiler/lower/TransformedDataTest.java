package io.flowc.compiler.lower;

import io.flowc.compiler.testing.CentralDifferences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Transformed data (docs/language.md): columns of a data matrix, centered columns, column means
 * and sd, against values computed here from the data, through the compiled code and the
 * interpreter, with gradients against central differences at random points.
 */
class TransformedDataTest {
  private static final int N = 40;
  private static final int K = 4;

  private final Random random = new Random(3);
  private final double[][] x = new double[N][K];
  private final double[] y = new double[N];

  private DataSet data() {
    StringBuilder rows = new StringBuilder();
    StringBuilder ys = new StringBuilder();
    for (int r = 0; r < N; r++) {
      rows.append(r == 0 ? "[" : ", [");
      for (int k = 0; k < K; k++) {
        x[r][k] = k == 0 ? 1 : 2 * k + random.nextGaussian() * k;
        rows.append(k == 0 ? "" : ", ").append(x[r][k]);
      }
      rows.append(']');
      y[r] = random.nextGaussian();
      ys.append(r == 0 ? "" : ", ").append(y[r]);
    }
    return StanJson.parse("{\"N\": " + N + ", \"K\": " + K + ", \"X\": [" + rows + "], \"y\": [" + ys + "]}", "d.json");
  }

  private static CheckedModel model(String body, DataSet data) throws Exception {
    return FrontEnd.check(new SourceFile("m.flow", "model m {\n" + body + "\n}\n"), data);
  }

  private static final String REGRESSION = """
      data int N;
      data int K;
      data real X[N, K];
      data real y[N];
      let Xc = center(cols(X, 1, K));
      param b[3];
      param a;
      y ~ normal(a + Xc * b + dot(col_means(Xc), b), sd(y) + 0.1 * sum(square(b)));
      """;

  @Test
  void centeredColumnsAndTheirMeansAreTheDataMinusColumnMeans() throws Exception {
    CheckedModel m = model(REGRESSION, data());
    double[] means = new double[K];
    for (double[] row : x) {
      for (int k = 0; k < K; k++) {
        means[k] += row[k] / N;
      }
    }
    double ybar = 0;
    for (double v : y) {
      ybar += v / N;
    }
    double squares = 0;
    for (double v : y) {
      squares += (v - ybar) * (v - ybar);
    }
    double sd = Math.sqrt(squares / (N - 1));
    double[] z = {0.3, -0.2, 0.1, 1.5};
    double scale = sd + 0.1 * (0.09 + 0.04 + 0.01);
    double expected = 0;
    for (int r = 0; r < N; r++) {
      double mu = z[3];
      for (int k = 1; k < K; k++) {
        mu += (x[r][k] - means[k]) * z[k - 1];
      }
      double u = (y[r] - mu) / scale;
      expected += -0.5 * u * u - Math.log(scale) - 0.5 * Math.log(2 * Math.PI);
    }
    LogDensity density = Compilation.load(m);
    assertEquals(expected, density.logDensity(z, new double[density.workspaceSize()]), 1e-10 * Math.abs(expected));
    assertEquals(expected, new Interpreter(m).logp(z), 1e-10 * Math.abs(expected));
  }

  @Test
  void gradientsThroughCenteredDataMatchCentralDifferences() throws Exception {
    CheckedModel m = model(REGRESSION, data());
    LogDensity density = Compilation.load(m);
    Interpreter interpreter = new Interpreter(m);
    double[] workspace = new double[density.workspaceSize()];
    for (int point = 0; point < 5; point++) {
      double[] z = new double[4];
      for (int i = 0; i < z.length; i++) {
        z[i] = random.nextGaussian();
      }
      double[] gradient = new double[4];
      density.logDensityGradient(z, gradient, workspace);
      CentralDifferences.assertGradient(gradient, interpreter::logp, z, 1e-5, 1e-6, "point " + point);
    }
  }

  /**
   * diamonds (examples/diamonds.flow, 5000 x 24 centered predictors) near its posterior, where log p
   * is of order 1e4 and central differences keep their digits: every element of the compiled
   * gradient against them, and the compiled value against the interpreter.
   */
  @Test
  void diamondsGradientMatchesCentralDifferencesNearThePosterior() throws Exception {
    java.nio.file.Path file = io.flowc.compiler.TestPaths.example("diamonds");
    CheckedModel m = io.flowc.compiler.TestPaths.checkExample(file);
    com.fasterxml.jackson.databind.JsonNode ref =
        io.flowc.compiler.TestPaths.posteriorDbReference("diamonds-diamonds").get("params");
    double[] z = new double[26];
    for (int k = 0; k < 24; k++) {
      com.fasterxml.jackson.databind.JsonNode b = ref.get("b[" + (k + 1) + "]");
      z[k] = b.get("mean").asDouble() + b.get("sd").asDouble() * random.nextGaussian();
    }
    z[24] = ref.get("Intercept").get("mean").asDouble() + 0.002 * random.nextGaussian();
    z[25] = Math.log(ref.get("sigma").get("mean").asDouble()) + 0.01 * random.nextGaussian();
    LogDensity density = Compilation.load(m);
    double[] workspace = new double[density.workspaceSize()];
    double[] gradient = new double[26];
    double value = density.logDensityGradient(z, gradient, workspace);
    assertEquals(new Interpreter(m).logp(z), value, 1e-9 * Math.abs(value));
    for (int i = 0; i < z.length; i++) {
      double h = 1e-6;
      double[] up = z.clone();
      double[] down = z.clone();
      up[i] += h;
      down[i] -= h;
      double difference = (density.logDensity(up, workspace) - density.logDensity(down, workspace)) / (2 * h);
      assertTrue(Math.abs(difference - gradient[i]) <= 1e-4 * Math.max(1, Math.abs(difference)),
          "element " + i + ": gradient " + gradient[i] + ", central difference " + difference);
    }
  }

  @Test
  void sdOfParametersHasTheGradientOfItsDefinition() throws Exception {
    CheckedModel m = model("param v[3];\nlogp += -sd(v) - 0.5 * sum(square(v));", null);
    LogDensity density = Compilation.load(m);
    double[] v = {0.4, -1.1, 2.0};
    double mean = (v[0] + v[1] + v[2]) / 3;
    double sd = Math.sqrt(((v[0] - mean) * (v[0] - mean) + (v[1] - mean) * (v[1] - mean) + (v[2] - mean) * (v[2] - mean)) / 2);
    double[] gradient = new double[3];
    density.logDensityGradient(v, gradient, new double[density.workspaceSize()]);
    for (int i = 0; i < 3; i++) {
      // d sd / d v_i = (v_i - mean) / ((n - 1) sd)
      assertEquals(-(v[i] - mean) / (2 * sd) - v[i], gradient[i], 1e-14);
    }
  }
}
