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

  /** The CompileException's first diagnostic as {@code line:col: message}. */
  private static String refusal(String text, String json) {
    CompileException e = assertThrows(CompileException.class, () -> simulator(text, json));
    var d = e.diagnostics().get(0);
    return d.span().line() + ":" + d.span().column() + ": " + d.message();
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
    int n = 20000;
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
}
