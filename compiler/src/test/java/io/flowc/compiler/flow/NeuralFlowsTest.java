package io.flowc.compiler.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.runtime.flow.FlowFormulas;
import io.flowc.runtime.flow.FlowLayout;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The neural flows of docs/spec/neural_flows.md at the IR level: log|det| against a finite-difference
 * Jacobian at random (not identity) parameters in 2, 3 and 7 dimensions, the autoregressive flows'
 * triangular Jacobians, the identity start, and the loss's gradient with respect to every weight.
 */
class NeuralFlowsTest {
  private static final double CBRT_EPS = Math.cbrt(Math.ulp(1.0));

  /** One of each flow and option kind, and second flows of a family (the other half, the reversed order). */
  private static final List<String> FORMULAS = List.of("realnvp(hidden=5)", "reverse-realnvp(hidden=4,act=tanh)*2",
      "iaf(hidden=6)", "iaf(hidden=7,layers=1,act=elu)*2", "nsf(bins=4,bound=2,hidden=5)",
      "nsf(bins=3,bound=3,hidden=4,act=tanh)*2", "nsf_ar(bins=3,bound=2,hidden=6,layers=1)",
      "nsf_ar(bins=2,bound=2,hidden=6,act=elu)*2", "sylvester", "sylvester(m=2)-reverse", "scale-nsf(bins=3,hidden=6)-hh-iaf(hidden=6)");

  static FlowLayout layout(String formula, int d) {
    return FlowFormulas.layout(formula, d);
  }

  /** Parameters away from the identity start: the start plus noise of the given size on every element. */
  static double[] randomTheta(FlowLayout layout, Random random, double noise) {
    double[] theta = layout.initialParameters(1.0, random.nextLong());
    for (int i = 0; i < theta.length; i++) {
      theta[i] += noise * random.nextGaussian();
    }
    return theta;
  }

  @Test
  void logDetMatchesTheJacobianAtRandomParameters() {
    Random random = new Random(15);
    for (String formula : FORMULAS) {
      for (int d : new int[] {2, 3, 7}) {
        FlowLayout layout = layout(formula, d);
        IrFunction f = FlowLogDetTest.stack(layout);
        for (int trial = 0; trial < 3; trial++) {
          double[] theta = randomTheta(layout, random, 0.4);
          double[] z = new double[d];
          for (int i = 0; i < d; i++) {
            z[i] = 1.2 * random.nextGaussian();
          }
          double expected = FlowLogDetTest.numericLogDet(f, theta, z);
          double actual = IrEvaluator.evaluate(f, FlowLogDetTest.concat(theta, z)).get("logdet")[0];
          assertTrue(Math.abs(actual) > 1e-3 || formula.equals("reverse"), formula + ": log|det| " + actual + " is trivial");
          assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)), formula + " d=" + d + " trial " + trial);
        }
      }
    }
  }

  /** Spec section 1: with the layout's start every neural flow is the identity, log|det| = 0 (Sylvester starts near it). */
  @Test
  void theIdentityStartMapsXToX() {
    Random random = new Random(3);
    for (String formula : List.of("realnvp*2", "iaf*2", "nsf*2", "nsf_ar*2", "nsf(bins=5,bound=1,act=elu)", "reverse*2",
        "realnvp(layers=3,act=tanh)")) {
      for (int d : new int[] {2, 3, 7}) {
        FlowLayout layout = layout(formula, d);
        IrFunction f = FlowLogDetTest.stack(layout);
        double[] theta = layout.initialParameters(1.0, random.nextLong());
        double[] z = new double[d];
        for (int i = 0; i < d; i++) {
          z[i] = 3 * random.nextGaussian();
        }
        Map<String, double[]> out = IrEvaluator.evaluate(f, FlowLogDetTest.concat(theta, z));
        for (int i = 0; i < d; i++) {
          assertEquals(z[i], out.get("z")[i], 1e-12 * Math.max(1, Math.abs(z[i])), formula + " d=" + d + " y_" + i);
        }
        assertEquals(0, out.get("logdet")[0], 1e-12, formula + " d=" + d);
      }
    }
  }

  /**
   * An autoregressive flow's output i depends only on the inputs before i in its order (1..d for
   * the first such flow, d..1 for the second), a coupling flow's conditioning half is untouched:
   * perturbing later inputs leaves earlier outputs exactly as they were.
   */
  @Test
  void autoregressiveFlowsAreTriangularInTheirOrder() {
    Random random = new Random(21);
    int d = 5;
    for (String kind : List.of("iaf(hidden=5,act=tanh)", "nsf_ar(bins=3,bound=3,hidden=6,act=tanh)")) {
      for (int k = 0; k < 2; k++) {
        // the flow of interest is the k-th of its family; the one before it (if any) is left at the identity
        FlowLayout layout = layout(k == 0 ? kind : kind + "*2", d);
        double[] theta = layout.initialParameters(1.0, 5);
        for (FlowLayout.Slot s : layout.slots()) {
          if (s.flow() == k) {
            for (int t = 0; t < s.elementCount(); t++) {
              theta[s.offset() + t] += 0.5 * random.nextGaussian();
            }
          }
        }
        IrFunction f = FlowLogDetTest.stack(layout);
        double[] z = new double[d];
        for (int i = 0; i < d; i++) {
          z[i] = random.nextGaussian();
        }
        double[] y = IrEvaluator.evaluate(f, FlowLogDetTest.concat(theta, z)).get("z");
        for (int j = 0; j < d; j++) {
          double[] moved = z.clone();
          moved[j] += 0.7;
          double[] y2 = IrEvaluator.evaluate(f, FlowLogDetTest.concat(theta, moved)).get("z");
          int position = k == 0 ? j : d - 1 - j;
          boolean later = false;
          for (int i = 0; i < d; i++) {
            int p = k == 0 ? i : d - 1 - i;
            if (p < position) {
              assertEquals(y[i], y2[i], kind + " flow " + k + ": y_" + i + " moved with x_" + j);
            } else if (p > position && y[i] != y2[i]) {
              later = true;
            }
          }
          assertTrue(later || position == d - 1, kind + " flow " + k + ": x_" + j + " moves no later output");
        }
      }
    }
    FlowLayout coupling = layout("realnvp(hidden=4)", 4);
    IrFunction f = FlowLogDetTest.stack(coupling);
    double[] theta = randomTheta(coupling, random, 0.5);
    double[] z = {0.1, -0.4, 1.3, 0.8};
    double[] y = IrEvaluator.evaluate(f, FlowLogDetTest.concat(theta, z)).get("z");
    assertEquals(z[0], y[0]);
    assertEquals(z[1], y[1]);
    assertTrue(y[2] != z[2] && y[3] != z[3]);
  }

  /** The per-draw loss's gradient with respect to every weight against central differences, at random parameters. */
  @Test
  void lossGradientsMatchCentralDifferencesForEveryWeight() throws Exception {
    Random random = new Random(8);
    int checked = 0;
    int skipped = 0;
    for (String formula : List.of("realnvp(hidden=3)-iaf(hidden=2,act=tanh)*2", "nsf(bins=3,bound=2,hidden=2,layers=1)*2",
        "nsf_ar(bins=2,bound=1.5,hidden=2,act=elu)-sylvester(m=2)-reverse")) {
      CheckedModel model = ElboGradientTest.smooth(3);
      FlowLayout layout = layout(formula, 3);
      IrFunction elbo = Compilation.elbo(model, layout);
      double[] theta = randomTheta(layout, random, 0.4);
      double[] eps = new double[3];
      for (int i = 0; i < 3; i++) {
        eps[i] = random.nextGaussian();
      }
      Map<String, double[]> out = IrEvaluator.evaluate(elbo, FlowLogDetTest.concat(theta, eps));
      double[] gradient = new double[theta.length];
      for (Node p : elbo.inputs().subList(0, layout.slots().size())) {
        double[] g = out.get(Compilation.gradientName(p));
        System.arraycopy(g, 0, gradient, elbo.offsetOf(p), g.length);
      }
      for (int i = 0; i < theta.length; i++) {
        double h = CBRT_EPS * Math.max(1, Math.abs(theta[i]));
        double coarse = ElboGradientTest.difference(elbo, theta, eps, i, h);
        double fine = ElboGradientTest.difference(elbo, theta, eps, i, h / 2);
        double scale = Math.max(1, Math.abs(fine));
        if (Math.abs(coarse - fine) > 1e-7 * scale) {
          skipped++; // a relu kink or a bin edge within h
          continue;
        }
        checked++;
        assertEquals(fine, gradient[i], 1e-6 * scale, formula + ": d loss / d " + layout.elementNames().get(i));
      }
    }
    assertTrue(skipped <= 0.05 * (checked + skipped), skipped + " of " + (checked + skipped) + " skipped");
  }
}
