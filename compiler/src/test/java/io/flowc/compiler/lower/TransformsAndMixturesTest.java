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
 * Ordered vectors and mixtures (docs/language.md): the compiled log density against closed
 * forms, against the reference interpreter, against normalization (the transform's log-Jacobian
 * is right only if the density carried to u integrates to the ordered region's mass), and its
 * gradient against central differences at random points.
 */
class TransformsAndMixturesTest {

  private static CheckedModel model(String body, DataSet data) throws Exception {
    return FrontEnd.check(new SourceFile("m.flow", "model m {\n" + body + "\n}\n"), data);
  }

  private static double logp(LogDensity density, double... z) {
    return density.logDensity(z, new double[density.workspaceSize()]);
  }

  @Test
  void anOrderedVectorIsARunningSumOfExponentialsWithTheirLogJacobian() throws Exception {
    CheckedModel m = model("param mu[3] ordered;\nmu ~ normal(0, 1);", null);
    double[] u = {-0.4, 0.3, -1.2};
    double[] x = {u[0], u[0] + Math.exp(u[1]), u[0] + Math.exp(u[1]) + Math.exp(u[2])};
    double expected = u[1] + u[2];
    for (double xi : x) {
      expected += -0.5 * xi * xi - 0.5 * Math.log(2 * Math.PI);
    }
    assertEquals(expected, logp(Compilation.load(m), u), 1e-13);
    assertEquals(expected, new Interpreter(m).logp(u), 1e-13);
    double[] constrained = new double[3];
    m.layout().constrain(u, constrained);
    for (int i = 0; i < 3; i++) {
      assertEquals(x[i], constrained[i], 1e-15, "element " + i);
    }
  }

  @Test
  void anOrderedPairOfStandardNormalsCarriesHalfTheMass() throws Exception {
    // P(x0 < x1) = 1/2 for iid x: a wrong or missing log-Jacobian gives another integral
    LogDensity density = Compilation.load(model("param mu[2] ordered;\nmu ~ normal(0, 1);", null));
    // u[0] = x0 over [-9, 9]; u[1] = log(x1 - x0) over [-25, 4], whose lower tail has mass e^u[1]
    assertEquals(0.5, CentralDifferences.integralOfExp((a, b) -> logp(density, a, b), -9, 360, -25, 580, 0.05), 1e-6);
  }

  @Test
  void oneElementOrderedIsTheIdentity() throws Exception {
    CheckedModel m = model("param mu[1] ordered;\nmu ~ normal(0, 1);", null);
    assertEquals(-0.5 * 0.49 - 0.5 * Math.log(2 * Math.PI), logp(Compilation.load(m), 0.7), 1e-14);
  }

  @Test
  void logMixIsTheLogOfTheWeightedSumOfDensities() throws Exception {
    CheckedModel m = model("param a;\nparam b;\nlogp += log_mix(0.3, a, b) + log_sum_exp([a, b]);", null);
    double a = -1.7;
    double b = 0.4;
    double expected = Math.log(0.3 * Math.exp(a) + 0.7 * Math.exp(b)) + Math.log(Math.exp(a) + Math.exp(b));
    assertEquals(expected, logp(Compilation.load(m), a, b), 1e-13);
    assertEquals(expected, new Interpreter(m).logp(new double[] {a, b}), 1e-13);
    // far in the tails the terms' exponentials underflow; log_mix does not
    assertEquals(Math.log(0.3) - 2000, logp(Compilation.load(model("param a;\nlogp += log_mix(0.3, a, -4000);", null)),
        -2000), 1e-9);
  }

  /** A mixture over N = 1000 data points, an ordered mean, bounded scales and weight, log_sum_exp over the data. */
  private static final String MIXTURE = """
      data int N;
      data real y[N];
      param mu[2] ordered;
      param sigma[2] > 0;
      param theta in (0, 1);
      fn lp(x, m, s) = -0.5 * square((x - m) / s) - log(s);
      mu ~ normal(0, 2);
      sigma ~ normal(0, 2);
      theta ~ beta(5, 5);
      logp += sum(log_mix(theta, lp(y, mu[0], sigma[0]), lp(y, mu[1], sigma[1])));
      logp += 0.01 * log_sum_exp(lp(y, mu[1], sigma[0]));
      """;

  @Test
  void gradientsOfOrderedVectorsAndMixturesOverAThousandPointsMatchCentralDifferences() throws Exception {
    Random random = new Random(7);
    StringBuilder y = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      y.append(i == 0 ? "" : ",").append(random.nextBoolean() ? -2 + random.nextGaussian() : 3 + random.nextGaussian());
    }
    DataSet data = StanJson.parse("{\"N\": 1000, \"y\": [" + y + "]}", "mix.json");
    CheckedModel m = model(MIXTURE, data);
    LogDensity density = Compilation.load(m);
    Interpreter interpreter = new Interpreter(m);
    double[] workspace = new double[density.workspaceSize()];
    for (int point = 0; point < 5; point++) {
      double[] z = new double[5];
      for (int i = 0; i < z.length; i++) {
        z[i] = random.nextGaussian();
      }
      double[] gradient = new double[5];
      double value = density.logDensityGradient(z, gradient, workspace);
      assertEquals(interpreter.logp(z), value, 1e-10 * Math.abs(value));
      CentralDifferences.assertGradient(gradient, interpreter::logp, z, 1e-5, 1e-6, "point " + point);
    }
  }
}
