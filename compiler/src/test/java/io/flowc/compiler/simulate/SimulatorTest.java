package io.flowc.compiler.simulate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import java.nio.file.Files;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Forward simulation of small models: exact properties of the draws, and the statements refused at their place. */
class SimulatorTest {
  private static CheckedModel check(String text, String json) throws CompileException {
    return Simulator.check(new SourceFile("m.flow", text), json == null ? null : StanJson.parse(json, "d.json"));
  }

  private static Simulator simulator(String text, String json) throws CompileException {
    return Simulator.of(check(text, json));
  }

  private static DataSet data(String json) {
    return StanJson.parse(json, "d.json");
  }

  /** The CompileException's diagnostics as {@code line:col: message}, one a line. */
  private static String refusal(String text, String json) {
    CompileException e = assertThrows(CompileException.class, () -> simulator(text, json));
    return String.join("\n", e.diagnostics().stream()
        .map(d -> d.span().line() + ":" + d.span().column() + ": " + d.message()).toList());
  }

  private static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  private static double sd(double[] x) {
    double m = mean(x);
    double s = 0;
    for (double v : x) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / (x.length - 1));
  }

  @Test
  void normalPriorHasItsMeanAndSd() throws Exception {
    Simulator s = simulator("model m { param mu; mu ~ normal(3, 2); }", null);
    int n = 10000;
    double[] mu = new double[n];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < n; i++) {
      mu[i] = s.simulate(null, random).parameters().get("mu").elements()[0];
    }
    // mean: se 2 / sqrt(n) = 0.014; sd: se about 2 / sqrt(2 n) = 0.01; 5 se each
    assertEquals(3, mean(mu), 5 * 2 / Math.sqrt(n));
    assertEquals(2, sd(mu), 5 * 2 / Math.sqrt(2.0 * n));
  }

  @Test
  void eightSchoolsDrawsEveryParameterAndTheOutcomes() throws Exception {
    String text = Files.readString(TestPaths.repoRoot().resolve("examples/eight_schools_noncentered.flow"));
    DataSet base = StanJson.read(TestPaths.repoRoot().resolve("examples/eight_schools_noncentered.json"));
    Simulator s = Simulator.of(Simulator.check(new SourceFile("es.flow", text), base));
    Simulation sim = s.simulate(base, new SplittableRandom(7));
    assertEquals(List.of("theta_trans", "mu", "tau"), List.copyOf(sim.parameters().keySet()));
    assertArrayEquals(new int[] {8}, sim.parameters().get("theta_trans").dims());
    assertTrue(sim.parameters().get("tau").elements()[0] > 0);
    assertEquals(List.of("J", "y", "sigma"), List.copyOf(sim.data().values().keySet()));
    assertArrayEquals(base.get("sigma").elements(), sim.data().get("sigma").elements());
    assertEquals(8, sim.data().get("y").elements().length);
  }

  @Test
  void dataGivenFixedParametersFollowTheLikelihoodElementwise() throws Exception {
    // mu in (1.99, 2.01) is uniform, nearly fixed; y[i] ~ normal(mu * x[i], 0.5) with x from the data
    String text = "model m { data int N; data real x[N]; data real y[N]; param mu in (1.99, 2.01);"
        + " y ~ normal(mu * x, 0.5); }";
    String json = "{\"N\": 3, \"x\": [0, 1, -3]}";
    Simulator s = simulator(text, json);
    DataSet base = data(json);
    int n = 10000;
    double[][] y = new double[3][n];
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < n; i++) {
      Simulation sim = s.simulate(base, random);
      double mu = sim.parameters().get("mu").elements()[0];
      assertTrue(mu > 1.99 && mu < 2.01);
      for (int k = 0; k < 3; k++) {
        y[k][i] = sim.data().get("y").elements()[k] - mu * new double[] {0, 1, -3}[k];
      }
    }
    for (int k = 0; k < 3; k++) {
      assertEquals(0, mean(y[k]), 5 * 0.5 / Math.sqrt(n));
      assertEquals(0.5, sd(y[k]), 5 * 0.5 / Math.sqrt(2.0 * n));
    }
  }

  @Test
  void boundedParametersStayInsideTheirBounds() throws Exception {
    Simulator s = simulator("model m { param sigma > 0; param p in (0.2, 0.3); param c < -1;"
        + " sigma ~ cauchy(0, 5); p ~ beta(2, 2); c ~ normal(0, 1); }", null);
    SplittableRandom random = new SplittableRandom(5);
    int n = 5000;
    double[] sigma = new double[n];
    for (int i = 0; i < n; i++) {
      Simulation sim = s.simulate(null, random);
      sigma[i] = sim.parameters().get("sigma").elements()[0];
      double p = sim.parameters().get("p").elements()[0];
      double c = sim.parameters().get("c").elements()[0];
      assertTrue(sigma[i] > 0 && p > 0.2 && p < 0.3 && c < -1, () -> sigma[0] + " " + p + " " + c);
    }
    // half-Cauchy(0, 5): the median is 5
    double below = 0;
    for (double v : sigma) {
      below += v < 5 ? 1 : 0;
    }
    assertEquals(0.5, below / n, 5 * 0.5 / Math.sqrt(n));
  }

  @Test
  void integerDataGetIntegerDraws() throws Exception {
    Simulator s = simulator("model m { data int N; data int k[N]; data int t[N]; data int b; param a;"
        + " a ~ normal(0, 1); k ~ poisson_log(a + 2); t ~ binomial_logit(10, a); b ~ bernoulli_logit(a); }",
        "{\"N\": 4}");
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 200; i++) {
      DataSet d = s.simulate(data("{\"N\": 4}"), random).data();
      for (String name : List.of("k", "t", "b")) {
        for (double v : d.get(name).elements()) {
          assertEquals(Math.rint(v), v);
          assertTrue(v >= 0);
        }
      }
      for (double v : d.get("t").elements()) {
        assertTrue(v <= 10);
      }
      assertTrue(d.get("b").elements()[0] <= 1);
      assertArrayEquals(new int[] {4}, d.get("k").dims());
    }
  }

  @Test
  void letsAreEvaluatedWhenFirstNeededAndElementsMayBeDrawnOneByOne() throws Exception {
    // the let reads parameters drawn after it (as in eight schools); theta[1] reads theta[0]
    Simulator s = simulator("model m { param theta[2]; param scale > 0; let shifted = theta + 100;"
        + " fn twice(v) = 2 * v; data real y[2];"
        + " theta[0] ~ normal(0, 1); theta[1] ~ normal(theta[0], 0.001); scale ~ exponential(1);"
        + " y ~ normal(twice(shifted), scale > 1e300 ? 1 : 1e-9); }", null);
    Simulation sim = s.simulate(null, new SplittableRandom(2));
    double[] theta = sim.parameters().get("theta").elements();
    assertEquals(theta[0], theta[1], 0.01);
    double[] y = sim.data().get("y").elements();
    assertEquals(2 * (theta[0] + 100), y[0], 1e-6);
    assertEquals(2 * (theta[1] + 100), y[1], 1e-6);
  }

  @Test
  void sameSeedSameSimulation() throws Exception {
    Simulator s = simulator("model m { data real y[3]; param mu; mu ~ normal(0, 1); y ~ normal(mu, 1); }", null);
    Simulation a = s.simulate(null, new SplittableRandom(42));
    Simulation b = s.simulate(null, new SplittableRandom(42));
    assertArrayEquals(a.data().get("y").elements(), b.data().get("y").elements());
    assertArrayEquals(a.parameters().get("mu").elements(), b.parameters().get("mu").elements());
  }

  @Test
  void refusesLoopsAndTheirStatesAtTheirNames() {
    assertEquals("1:60: a 'state' cannot be simulated (it belongs to a 'for' loop)\n"
        + "1:71: a 'for' loop cannot be simulated: its '~' statements would draw a series through its states one"
        + " iteration at a time, which simulation does not do",
        refusal("model m { param x; x ~ normal(0, 1); data real y[3]; state s = x; for t in 1:3 { s = s + y[t - 1];"
            + " y[t] ~ normal(s, 1); } }", "{\"y\": [1, 2, 3]}"));
  }

  @Test
  void refusesWhatCannotBeSimulatedAtItsPlace() {
    String order = ": simulation runs the '~' statements in source order";
    assertEquals("1:20: a 'potential' statement cannot be simulated: only '~' statements say how to draw values",
        refusal("model m { param x; potential x^2; x ~ normal(0, 1); }", null));
    assertEquals("1:38: a 'logp +=' statement cannot be simulated: write the density as a '~' statement"
        + " (y ~ normal(mu, sigma);)", refusal("model m { param x; x ~ normal(0, 1); logp += -x^2; }", null));
    assertEquals("1:17: parameter 'x' has no prior statement ('x ~ ...;'): simulation draws parameters from their priors",
        refusal("model m { param x > 0; param y; y ~ normal(0, 1); }", null));
    assertEquals("1:23: an 'ordered' parameter cannot be simulated: 'mu' is drawn from its prior restricted to "
        + "increasing values, which its statements do not say how to draw",
        refusal("model m { param mu[2] ordered; mu ~ normal(0, 1); }", null));
    assertEquals("1:17: element t[1] of parameter 't' has no prior statement: simulation draws parameters from their"
        + " priors", refusal("model m { param t[2]; t[0] ~ normal(0, 1); }", null));
    assertEquals("1:73: data 'y' is read before it is drawn (by the '~' statement at 1:80)" + order,
        refusal("model m { data real y; param mu; param x; mu ~ normal(0, 1); x ~ normal(y, 1); y ~ normal(mu, 1); }",
            null));
    assertEquals("1:58: 'm2' reads parameter 'mu' before it is drawn (by the '~' statement at 1:66)" + order,
        refusal("model m { param mu; param x; let m2 = mu * 2; x ~ normal(m2, 1); mu ~ normal(0, 1); }", null));
    assertEquals("1:38: parameter 'x' is already drawn by the '~' statement at 1:20: a value has one sampling statement",
        refusal("model m { param x; x ~ normal(0, 1); x ~ normal(1, 1); }", null));
    assertEquals("1:17: parameter 'x' has no prior statement ('x ~ ...;'): simulation draws parameters from their priors"
        + "\n1:20: 'exp(x)' is neither a parameter nor data: simulation draws only a parameter or data value"
        + " (or one element, 'x[0]') with '~'",
        refusal("model m { param x; exp(x) ~ normal(0, 1); }", null));
    assertEquals("1:28: parameter 'k' is continuous, but poisson_log draws integers: simulation cannot draw it",
        refusal("model m { param k > 0; k ~ poisson_log(1); }", null));
    assertEquals("1:36: data int 'k' cannot be drawn from normal, which draws real numbers",
        refusal("model m { data int k; param a; k ~ normal(a, 1); a ~ normal(0, 1); }", null));
    assertEquals("1:66: data 'N' gives a size or an index (at 1:35): it must come from the data, not be drawn",
        refusal("model m { data int N; data real y[N]; param a; a ~ normal(0, 1); N ~ poisson_log(a); }",
            "{\"N\": 2, \"y\": [1, 2]}"));
    assertEquals("1:33: argument 'mu' of normal has 2 elements, but 'mu' is one value: simulation draws each element"
        + " once", refusal("model m { param mu; mu ~ normal([1, 2], 1); }", null));
  }

  @Test
  void valuesADistributionCannotTakeAreReportedAtTheStatement() throws Exception {
    Simulator s = simulator("model m { param a; data real y[2]; a ~ normal(0, 1); y ~ normal(0, [1, a - 100]); }", null);
    SimulationException e = assertThrows(SimulationException.class, () -> s.simulate(null, new SplittableRandom(1)));
    assertTrue(e.getMessage().startsWith("m.flow:1:58: normal(0, -"), e.getMessage());
    assertTrue(e.getMessage().endsWith("is not a positive number (element 1)"), e.getMessage());
  }

  @Test
  void everyDistributionOfTheLanguageHasAGenerator() {
    for (io.flowc.compiler.frontend.Builtin b : io.flowc.compiler.frontend.Builtin.values()) {
      if (b.form == io.flowc.compiler.frontend.Builtin.Form.DISTRIBUTION) {
        String name = b.symbol().substring(0, b.symbol().length() - "_lpdf".length());
        io.flowc.runtime.random.Family f = io.flowc.runtime.random.Family.bySymbol(name);
        assertTrue(f != null, name + " has no generator");
        assertEquals(b.arity - 1, f.parameters().size(), name);
        assertEquals(b.symbol().endsWith("_lpmf"), f.isDiscrete(), name);
      }
    }
  }

  @Test
  void aDataMatrixMultipliesTheDrawnCoefficients() throws Exception {
    String json = "{\"X\": [[1, 2], [3, 4], [5, 6]]}";
    Simulator s = simulator("model m { data real X[3, 2]; data real y[3]; param b[2];"
        + " b ~ normal(0, 1); y ~ normal(X * b, 1e-12); }", json);
    Simulation sim = s.simulate(data(json), new SplittableRandom(4));
    double[] b = sim.parameters().get("b").elements();
    double[] y = sim.data().get("y").elements();
    assertEquals(b[0] + 2 * b[1], y[0], 1e-9);
    assertEquals(3 * b[0] + 4 * b[1], y[1], 1e-9);
    assertEquals(5 * b[0] + 6 * b[1], y[2], 1e-9);
    assertArrayEquals(new int[] {3, 2}, sim.data().get("X").dims());
  }

  @Test
  void drawnValuesInTheDataFileAreNotRead() throws Exception {
    // y has the wrong length and a value that is no number: neither matters, y is drawn
    String json = "{\"N\": 3, \"y\": [1, 2], \"z\": [0.5, 1, 2]}";
    Simulator s = simulator("model m { data int N; data real y[N]; data real z[N]; param a; a ~ normal(0, 1);"
        + " y ~ normal(a * z, 1); }", json);
    assertArrayEquals(new int[] {3}, s.simulate(data(json), new SplittableRandom(1)).data().get("y").dims());
    String unusable = "{\"N\": 3, \"y\": true, \"z\": [0.5, 1, 2]}";
    assertArrayEquals(new int[] {3}, simulator("model m { data int N; data real y[N]; data real z[N]; param a;"
        + " a ~ normal(0, 1); y ~ normal(a * z, 1); }", unusable).simulate(data(unusable), new SplittableRandom(1))
        .data().get("y").dims());
  }

  /**
   * A bound computed from other values truncates the prior to the bound's value when it is drawn:
   * garch's 0 < b < 1 - a, and a data vector's elementwise lower bounds.
   */
  @Test
  void computedBoundsTruncateThePriorToTheirValuesAtTheDraw() throws Exception {
    String text = """
        model m {
          data int N;
          data real lo[N];
          param a in (0, 1);
          param b in (0, 1 - a);
          param tau[N] > lo;
          param c < tau[1] - 5;
          a ~ beta(2, 2);
          b ~ normal(0.5, 1);
          tau ~ normal(0, 1);
          c ~ normal(0, 1);
        }
        """;
    String json = "{\"N\": 2, \"lo\": [1.5, -3]}";
    Simulator s = simulator(text, json);
    SplittableRandom random = new SplittableRandom(4);
    for (int i = 0; i < 200; i++) {
      Simulation sim = s.simulate(data(json), random);
      double a = sim.parameters().get("a").elements()[0];
      double b = sim.parameters().get("b").elements()[0];
      double[] tau = sim.parameters().get("tau").elements();
      double c = sim.parameters().get("c").elements()[0];
      assertTrue(a > 0 && a < 1 && b > 0 && b < 1 - a, a + ", " + b);
      assertTrue(tau[0] > 1.5 && tau[1] > -3, tau[0] + ", " + tau[1]);
      assertTrue(c < tau[1] - 5, c + " vs " + tau[1]);
    }
  }

  @Test
  void aComputedBoundIsReadWhenItsParameterIsDrawnAndNeedsAPrior() {
    assertEquals("3:22: parameter 'a' is read before it is drawn (by the '~' statement at 5:3): simulation runs the"
        + " '~' statements in source order", refusal("""
        model m {
          param a in (0, 1);
          param b in (0, 1 - a);
          b ~ normal(0, 1);
          a ~ beta(2, 2);
        }
        """, null));
    assertEquals("3:18: a parameter with a bound computed from other values needs a prior statement to be simulated:"
        + " 'b' is drawn from its prior truncated to the bounds its '~' statement sees", refusal("""
        model m {
          param a in (0, 1);
          param b in (0, 1 - a);
          a ~ beta(2, 2);
          logp += 0;
        }
        """.replace("  logp += 0;\n", ""), null));
  }
}
