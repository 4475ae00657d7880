package io.flowc.compiler.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.testing.RandomModels;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowLayout;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The per-draw loss log N(eps) - sum log|det J| + U(z_K): its value against the reference
 * interpreter at the flow's output, and its gradient with respect to every flow parameter against
 * central finite differences, for each flow alone and for random formulas, on the notebook's
 * potentials and on models of dimension 1, 3, 7 and 100 and random models.
 */
class ElboGradientTest {
  private static final double CBRT_EPS = Math.cbrt(Math.ulp(1.0));

  static CheckedModel model(String text) throws Exception {
    return FrontEnd.check(new SourceFile("m.flow", text));
  }

  static CheckedModel example(String name) throws Exception {
    return FrontEnd.check(new SourceFile(name, Files.readString(TestPaths.example(name))));
  }

  static CheckedModel smooth(int d) throws Exception {
    return model("model smooth" + d + " { param z[" + d + "]; potential 0.5 * sum(square(z - 0.3)) + 0.1 * sum(log(cosh(2 * z))); }");
  }

  /** Checks value and gradient at one (theta, eps); returns {checked, skipped} gradient elements. */
  static int[] check(CheckedModel model, List<FlowKind> flows, long seed) {
    FlowLayout layout = FlowLayout.of(flows, model.dimension());
    IrFunction elbo = Compilation.elbo(model, layout);
    Random random = new Random(seed);
    double[] theta = layout.initialParameters(0.5, seed);
    double[] eps = new double[model.dimension()];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = random.nextGaussian();
    }
    String where = model.name() + " with " + flows + " seed " + seed;
    Map<String, double[]> out = IrEvaluator.evaluate(elbo, FlowLogDetTest.concat(theta, eps));
    double loss = out.get(ElboLowering.LOSS)[0];
    double logq = out.get(ElboLowering.LOGQ)[0];
    // the loss is log q + U at the flow's output, U from the reference interpreter
    double potential = new Interpreter(model).potential(out.get(ElboLowering.Z));
    assertEquals(logq + potential, loss, 1e-10 * Math.max(1, Math.abs(loss)), where + ": loss = log q + U");

    double[] gradient = new double[theta.length];
    List<Node> parameters = elbo.inputs().subList(0, layout.slots().size());
    for (Node p : parameters) {
      double[] g = out.get(Compilation.gradientName(p));
      System.arraycopy(g, 0, gradient, elbo.offsetOf(p), g.length);
    }
    int checked = 0;
    int skipped = 0;
    for (int i = 0; i < theta.length; i++) {
      double h = CBRT_EPS * Math.max(1, Math.abs(theta[i]));
      double coarse = difference(elbo, theta, eps, i, h);
      double fine = difference(elbo, theta, eps, i, h / 2);
      // Richardson's extrapolation cancels the differences' h^2 error (a steep tanh makes it 1e-7 of the
      // value); two differences far apart mean a kink within h, where no difference says anything
      double extrapolated = fine + (fine - coarse) / 3;
      // a difference of two losses near |loss| carries their rounding, some ulps of |loss| over the step
      double noise = 64 * Math.ulp(Math.max(1, Math.abs(loss))) / h;
      double scale = Math.max(1, Math.abs(fine));
      if (Math.abs(coarse - fine) > 1e-5 * scale + noise) {
        skipped++;
        continue;
      }
      checked++;
      assertEquals(extrapolated, gradient[i], 1e-6 * scale + noise, where + ": d loss / d " + layout.elementNames().get(i));
    }
    return new int[] {checked, skipped};
  }

  /** The central difference of the per-draw loss in theta's element i. */
  static double difference(IrFunction elbo, double[] theta, double[] eps, int i, double h) {
    double[] plus = theta.clone();
    double[] minus = theta.clone();
    plus[i] += h;
    minus[i] -= h;
    double up = IrEvaluator.evaluate(elbo, FlowLogDetTest.concat(plus, eps)).get(ElboLowering.LOSS)[0];
    double down = IrEvaluator.evaluate(elbo, FlowLogDetTest.concat(minus, eps)).get(ElboLowering.LOSS)[0];
    return (up - down) / (2 * h);
  }

  private static void assertFewSkipped(int[] counts, String what) {
    assertTrue(counts[0] > 0, what + ": nothing checked");
    assertTrue(counts[1] <= 0.05 * (counts[0] + counts[1]), what + ": " + counts[1] + " of "
        + (counts[0] + counts[1]) + " elements skipped as ill-conditioned");
  }

  @Test
  void eachFlowAloneOnTheNotebooksPotentials() throws Exception {
    int[] total = new int[2];
    for (String name : List.of("pot1", "pot2", "pot3", "pot4")) {
      CheckedModel model = example(name);
      for (FlowKind kind : FlowKind.pyMc3Values()) {
        for (long seed = 1; seed <= 3; seed++) {
          int[] c = check(model, List.of(kind), seed);
          total[0] += c[0];
          total[1] += c[1];
        }
      }
    }
    assertFewSkipped(total, "single flows");
  }

  @Test
  void theNotebooksFormulas() throws Exception {
    int[] total = new int[2];
    for (String name : List.of("pot1", "pot4")) {
      for (List<FlowKind> flows : List.of(
          List.of(FlowKind.PLANAR, FlowKind.PLANAR, FlowKind.PLANAR, FlowKind.PLANAR, FlowKind.PLANAR,
              FlowKind.PLANAR, FlowKind.PLANAR, FlowKind.PLANAR),
          List.of(FlowKind.SCALE, FlowKind.HH, FlowKind.HH, FlowKind.LOC),
          List.of(FlowKind.RADIAL, FlowKind.RADIAL, FlowKind.RADIAL, FlowKind.RADIAL, FlowKind.LOC))) {
        int[] c = check(example(name), flows, 7);
        total[0] += c[0];
        total[1] += c[1];
      }
    }
    assertFewSkipped(total, "notebook formulas");
  }

  /**
   * Sixty random stacks of PyMC3's flows in 1, 2, 3, 7 and 100 dimensions, at random points: every
   * element checked agrees, and few are skipped over all of them (a random point of a single planar
   * flow in one dimension may sit where its log-determinant is near singular, and one of its three
   * elements be skipped there).
   */
  @Test
  void randomFormulasInSeveralDimensions() throws Exception {
    Random cases = new Random(20261129);
    int[] total = new int[2];
    for (int t = 0; t < 60; t++) {
      int d = new int[] {1, 2, 3, 7, 100}[cases.nextInt(5)];
      int flowCount = 1 + cases.nextInt(4);
      long seed = cases.nextLong();
      CheckedModel model = d == 2 ? example("pot" + (1 + Math.floorMod(seed, 4))) : smooth(d);
      Random random = new Random(seed);
      List<FlowKind> flows = new ArrayList<>();
      for (int k = 0; k < (d == 100 ? Math.min(flowCount, 2) : flowCount); k++) {
        flows.add(FlowKind.pyMc3Values()[random.nextInt(FlowKind.pyMc3Values().length)]);
      }
      int[] c = check(model, flows, seed);
      total[0] += c[0];
      total[1] += c[1];
    }
    assertFewSkipped(total, "random formulas");
  }

  @Property(tries = 40, seed = "7")
  void randomFormulasOnRandomModels(@ForAll @IntRange(min = 1, max = 100_000) int modelSeed,
      @ForAll @IntRange(min = 1, max = 3) int flowCount) throws Exception {
    RandomModels.RandomModel random = RandomModels.generate(modelSeed);
    CheckedModel model = model(random.text());
    Random r = new Random(modelSeed);
    List<FlowKind> flows = new ArrayList<>();
    for (int k = 0; k < flowCount; k++) {
      flows.add(FlowKind.pyMc3Values()[r.nextInt(FlowKind.pyMc3Values().length)]);
    }
    // random models are tame on [-2, 2]; a small jitter keeps the flow's output there
    assertFewSkipped(check(model, flows, modelSeed), random.text() + "\nwith " + flows);
  }
}
