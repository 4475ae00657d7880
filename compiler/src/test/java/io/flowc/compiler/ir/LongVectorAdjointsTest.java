package io.flowc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Adjoints of a long vector read element by element, as a data matrix times a parameter vector
 * reads it: summed as one vector (linear in the length), with the values and gradients of the
 * interpreter, dual numbers and finite differences, and of the compiled class.
 */
class LongVectorAdjointsTest {
  private static final String REGRESSION = """
      model m {
        data int N; data int K; data real X[N, K]; data real y[N];
        param beta[K]; param sigma > 0;
        beta ~ normal(0, 1);
        sigma ~ exponential(1);
        y ~ normal(X * beta, sigma);
      }
      """;

  /** Rows and columns of a matrix and outcomes drawn with a fixed seed. */
  static DataSet data(int rows, int columns, long seed) {
    Random random = new Random(seed);
    StringBuilder json = new StringBuilder("{\"N\": " + rows + ", \"K\": " + columns + ", \"X\": [");
    StringBuilder y = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      json.append(i == 0 ? "[" : ", [");
      for (int k = 0; k < columns; k++) {
        json.append(k == 0 ? "" : ", ").append(random.nextGaussian());
      }
      json.append(']');
      y.append(i == 0 ? "" : ", ").append(random.nextGaussian());
    }
    return StanJson.parse(json.append("], \"y\": [").append(y).append("]}").toString(), "d.json");
  }

  private static CheckedModel check(String text, DataSet data) throws Exception {
    return FrontEnd.check(new SourceFile("m.flow", text), data);
  }

  @Test
  void aMatrixProductsGradientHasNoVectorPerColumn() throws Exception {
    int columns = 200;
    CheckedModel model = check(REGRESSION, data(20, columns, 1));
    IrFunction f = Compilation.valueAndGradient(model);
    long ofBetasShape = f.liveNodes().stream().filter(n -> n.shape().equals(Shape.vector(columns))).count();
    // one adjoint vector per column (zeros around one element) and one sum per column were 2 K
    assertTrue(ofBetasShape < 20, ofBetasShape + " live values of " + columns + " elements");
  }

  @Test
  void nonSquareProductsAgreeWithTheReferences() {
    Random random = new Random(7);
    GradientPropertyTest.Tally tally = new GradientPropertyTest.Tally();
    // more columns than rows and fewer, both above the length up to which vectors are scalars
    GradientPropertyTest.checkModel(REGRESSION, data(19, 40, 2), "19 x 40", random, 2, tally);
    GradientPropertyTest.checkModel(REGRESSION, data(33, 21, 3), "33 x 21", random, 2, tally);
    // other reads of beta between and around the product's: adjoints added in another order
    String mixed = REGRESSION.replace("y ~ normal(X * beta, sigma);",
        "potential square(beta[3] - beta[30]) + beta[0] * sum(beta);\n y ~ normal(X * beta, sigma);\n"
            + "logp += -0.5 * square(beta[17] + beta[3]);");
    GradientPropertyTest.checkModel(mixed, data(25, 31, 4), "mixed reads", random, 2, tally);
    tally.assertFewSkipped("matrix products");
  }

  @Test
  void theCompiledGradientIsTheIrGradient() throws Exception {
    CheckedModel model = check(REGRESSION, data(23, 37, 5));
    IrFunction f = Compilation.valueAndGradient(model);
    LogDensity compiled = Compilation.load(model);
    Random random = new Random(11);
    double[] z = new double[model.dimension()];
    for (int i = 0; i < z.length; i++) {
      z[i] = 0.5 * random.nextGaussian();
    }
    Map<String, double[]> expected = IrEvaluator.evaluate(f, z, model.dataValues());
    double[] gradient = new double[z.length];
    double logp = compiled.logDensityGradient(z, gradient, new double[compiled.workspaceSize()]);
    assertEquals(expected.get(Compilation.LOGP)[0], logp, 1e-12 * Math.abs(logp));
    for (Node input : f.inputs()) {
      double[] g = expected.get(Compilation.gradientName(input));
      for (int i = 0; i < g.length; i++) {
        double actual = gradient[f.offsetOf(input) + i];
        assertEquals(g[i], actual, 1e-12 * Math.max(1, Math.abs(g[i])), input.name() + "[" + i + "]");
      }
    }
  }
}
