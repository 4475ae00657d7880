package io.flowc.compiler.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.runtime.LogDensity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Log densities and bounded parameters against closed forms and against normalization: a
 * density carried to the unconstrained scale with its log-Jacobian still integrates to 1, which
 * fails if either the density's constants or the Jacobian are wrong.
 */
class DistributionsTest {
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private static CheckedModel model(String body) throws Exception {
    return FrontEnd.check(new SourceFile("m.flow", "model m {\n" + body + "\n}\n"));
  }

  private static double logp(LogDensity density, double... z) {
    return density.logDensity(z, new double[density.workspaceSize()]);
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "normal_lpdf(y, 0, 1); 1; -1.4189385332046727",
      "normal_lpdf(y, 1, 2); 1; -1.612085713764618",
      "student_t_lpdf(y, 1, 0, 1); 0; -1.1447298858494002",
      "cauchy_lpdf(y, 0, 1); 1; -1.8378770664093453",
      "exponential_lpdf(y, 3); 2; -4.901387711331891",
      "exponential_lpdf(y, 3); -2; -Infinity",
      "gamma_lpdf(y, 1, 1); 1; -1",
      "gamma_lpdf(y, 2, 3); 0.5; 0.0040773967762743",
      "beta_lpdf(y, 1, 1); 0.3; 0",
      "beta_lpdf(y, 2, 3); 0.5; 0.4054651081081644",
      "lognormal_lpdf(y, 0, 1); 1; -0.9189385332046727",
      "bernoulli_logit_lpmf(1, y); 0; -0.6931471805599453",
      "bernoulli_logit_lpmf(0, y); 2; -2.1269280110429727",
      "poisson_log_lpmf(0, y); 0; -1",
      "poisson_log_lpmf(3, y); 0.6931471805599453; -1.7123179275482205",
      "binomial_logit_lpmf(1, 2, y); 0; -0.6931471805599453"})
  void compiledDensitiesEqualClosedForms(String call, double y, double expected) throws Exception {
    LogDensity density = Compilation.load(model("param y;\nlogp += " + call + ";"));
    assertEquals(expected, logp(density, y), 1e-13, call + " at y = " + y);
  }

  @Test
  void samplingStatementsAreVectorizedSumsOfTheFullDensity() throws Exception {
    LogDensity density = Compilation.load(model("param y[3];\ny ~ normal([0, 1, 2], 2);"));
    double expected = 0;
    double[] y = {0.5, -1, 4};
    for (int i = 0; i < 3; i++) {
      double z = (y[i] - i) / 2;
      expected += -0.5 * z * z - Math.log(2) - HALF_LOG_TWO_PI;
    }
    assertEquals(expected, logp(density, y), 1e-13);
  }

  /** Trapezoidal integral of exp(log p(u)) over [a, b] with n steps. */
  private static double integral(LogDensity density, double a, double b, int n) {
    double h = (b - a) / n;
    double sum = 0;
    for (int i = 0; i <= n; i++) {
      double f = Math.exp(logp(density, a + i * h));
      sum += (i == 0 || i == n) ? f / 2 : f;
    }
    return sum * h;
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "param x; x ~ normal(1, 2); | -30 | 30 | 1",
      "param x; x ~ student_t(5, -1, 0.5); | -400 | 400 | 1",
      "param x > 0; x ~ exponential(2); | -40 | 5 | 1",
      "param x > 0; x ~ gamma(3, 2); | -30 | 6 | 1",
      "param x > 0; x ~ lognormal(0.5, 0.7); | -10 | 10 | 1",
      "param x in (0, 1); x ~ beta(2, 5); | -40 | 40 | 1",
      "param x in (-2, 5); x ~ normal(1, 1); | -40 | 40 | 0.9986184311715209",
      "param x > 1.5; x ~ exponential(1); | -40 | 5 | 0.22313016014842982",
      "param x < -1; logp += exponential_lpdf(-1 - x, 0.5); | -40 | 6 | 1",
      "param x in (0, 1); logp += 0; | -40 | 40 | 1"})
  void densitiesOnTheUnconstrainedScaleIntegrateToTheirMass(String body, double a, double b, double mass)
      throws Exception {
    // mass below 1: a density truncated by the bounds (Phi(4) - Phi(-3); exp(-1.5))
    LogDensity density = Compilation.load(model(body));
    assertEquals(mass, integral(density, a, b, 40_000), 1e-6, body);
  }

  @Test
  void countDistributionsSumToOne() throws Exception {
    double poisson = 0;
    double binomial = 0;
    for (int n = 0; n <= 40; n++) {
      poisson += Math.exp(new Interpreter(model("param a;\nlogp += poisson_log_lpmf(" + n + ", a);")).logp(new double[] {1.2}));
      if (n <= 7) {
        binomial += Math.exp(new Interpreter(model("param a;\nlogp += binomial_logit_lpmf(" + n + ", 7, a);"))
            .logp(new double[] {-0.4}));
      }
    }
    assertEquals(1, poisson, 1e-12);
    assertEquals(1, binomial, 1e-12);
    double bernoulli = Math.exp(new Interpreter(model("param a;\nlogp += bernoulli_logit_lpmf(1, a);")).logp(new double[] {0.3}))
        + Math.exp(new Interpreter(model("param a;\nlogp += bernoulli_logit_lpmf(0, a);")).logp(new double[] {0.3}));
    assertEquals(1, bernoulli, 1e-15);
  }

  @Test
  void boundedParametersSeeTheirConstrainedValueAndAddTheLogJacobian() throws Exception {
    CheckedModel m = model("param s > 0;\nparam p in (0, 1);\nparam c < 2;\nlogp += -s + log(p) + c;");
    LogDensity density = Compilation.load(m);
    double u = 0.3;
    double v = -0.7;
    double w = 1.1;
    double s = Math.exp(u);
    double p = 1 / (1 + Math.exp(-v));
    double c = 2 - Math.exp(w);
    double expected = -s + Math.log(p) + c + u + Math.log(p * (1 - p)) + w;
    assertEquals(expected, logp(density, u, v, w), 1e-13);
    assertEquals(expected, new Interpreter(m).logp(new double[] {u, v, w}), 1e-13);
    assertTrue(m.params().get(1).isBounded());
  }
}
