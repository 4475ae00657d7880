package io.flowc.compiler.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.Goldens;
import io.flowc.compiler.TestPaths;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.IrPrinter;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Prologue, per-draw body and epilogue compute the mean loss and its exact gradient. */
class ElboSplitTest {

  static double[] join(double[]... parts) {
    int n = 0;
    for (double[] p : parts) {
      n += p.length;
    }
    double[] out = new double[n];
    int at = 0;
    for (double[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Mean loss and gradient over the draws through the three parts; gradient in theta order. */
  static double[] throughParts(ElboSplit.Parts parts, double[] theta, double[][] draws) {
    Map<String, double[]> prologue = IrEvaluator.evaluate(parts.prologue(), theta);
    List<double[]> boundary = new ArrayList<>();
    for (int k = 0; k < parts.boundaryCount(); k++) {
      boundary.add(prologue.get(ElboSplit.boundaryName(k)));
    }
    double loss = 0;
    List<double[]> seeds = new ArrayList<>();
    boundary.forEach(b -> seeds.add(new double[b.length]));
    for (double[] eps : draws) {
      List<double[]> in = new ArrayList<>(boundary);
      in.add(eps);
      Map<String, double[]> body = IrEvaluator.evaluate(parts.body(), join(in.toArray(double[][]::new)));
      loss += body.get(ElboLowering.LOSS)[0];
      for (int k = 0; k < parts.boundaryCount(); k++) {
        double[] g = body.get(ElboSplit.boundaryGradientName(k));
        for (int i = 0; i < g.length; i++) {
          seeds.get(k)[i] += g[i];
        }
      }
    }
    for (double[] s : seeds) {
      for (int i = 0; i < s.length; i++) {
        s[i] /= draws.length;
      }
    }
    List<double[]> in = new ArrayList<>();
    in.add(theta);
    in.addAll(seeds);
    Map<String, double[]> epilogue = IrEvaluator.evaluate(parts.epilogue(), join(in.toArray(double[][]::new)));
    double[] gradient = new double[theta.length];
    for (Node t : parts.epilogue().inputs().subList(0, parts.epilogue().inputs().size() - parts.boundaryCount())) {
      double[] g = epilogue.get(Compilation.gradientName(t));
      System.arraycopy(g, 0, gradient, parts.epilogue().offsetOf(t), g.length);
    }
    double[] out = new double[theta.length + 1];
    out[0] = loss / draws.length;
    System.arraycopy(gradient, 0, out, 1, gradient.length);
    return out;
  }

  /** The same from the undivided per-draw function, draw by draw. */
  static double[] monolithic(IrFunction elbo, FlowLayout layout, double[] theta, double[][] draws) {
    double[] out = new double[theta.length + 1];
    for (double[] eps : draws) {
      Map<String, double[]> r = IrEvaluator.evaluate(elbo, join(theta, eps));
      out[0] += r.get(ElboLowering.LOSS)[0] / draws.length;
      for (Node p : elbo.inputs().subList(0, layout.slots().size())) {
        double[] g = r.get(Compilation.gradientName(p));
        for (int i = 0; i < g.length; i++) {
          out[1 + elbo.offsetOf(p) + i] += g[i] / draws.length;
        }
      }
    }
    return out;
  }

  @Test
  void partsGiveTheMeanLossAndItsGradient() throws Exception {
    Random random = new Random(17);
    for (String name : List.of("pot1", "pot4", "kitchen_sink")) {
      CheckedModel model = ElboGradientTest.example(name);
      for (List<FlowKind> flows : List.of(List.of(FlowKind.PLANAR, FlowKind.PLANAR), List.of(FlowKind.RADIAL, FlowKind.LOC),
          List.of(FlowKind.SCALE, FlowKind.HH, FlowKind.HH, FlowKind.LOC), List.of(FlowKind.pyMc3Values()))) {
        FlowLayout layout = FlowLayout.of(flows, model.dimension());
        double[] theta = layout.initialParameters(0.7, random.nextLong());
        double[][] draws = new double[5][model.dimension()];
        for (double[] d : draws) {
          for (int i = 0; i < d.length; i++) {
            d[i] = random.nextGaussian();
          }
        }
        double[] expected = monolithic(Compilation.elbo(model, layout), layout, theta, draws);
        double[] actual = throughParts(Compilation.elboParts(model, layout), theta, draws);
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], actual[i], 1e-12 * Math.max(1, Math.abs(expected[i])),
              name + " " + flows + (i == 0 ? " loss" : " gradient " + layout.elementNames().get(i - 1)));
        }
      }
    }
  }

  /** What depends on the flow parameters alone is computed once per call, not once per draw. */
  @Test
  void theBodyHoldsNoParameterOnlyNode() throws Exception {
    CheckedModel model = ElboGradientTest.example("pot1");
    ElboSplit.Parts parts = Compilation.elboParts(model, FlowLayout.of(List.of(FlowKind.PLANAR, FlowKind.PLANAR,
        FlowKind.RADIAL, FlowKind.SCALE, FlowKind.HH), 2));
    IrFunction body = parts.body();
    Node eps = body.inputs().get(body.inputs().size() - 1);
    Set<Node> perDraw = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Node n : body.liveNodes()) {
      boolean depends = n == eps || n.args().stream().anyMatch(perDraw::contains);
      if (depends) {
        perDraw.add(n);
      } else {
        assertTrue(n.op() == Op.INPUT || !n.dependsOnInputs(),
            "a node of the body that depends on the parameters only: " + n + "\n" + IrPrinter.print(body));
      }
    }
    // u-hat's softplus(w.u), the norms |w|^2 and |v|^2, alpha = exp(a) and softplus(rho) are all in the prologue
    String prologue = IrPrinter.print(parts.prologue());
    assertTrue(prologue.contains("softplus"), prologue);
    assertTrue(prologue.contains("exp"), prologue);
    long softplusInBody = body.liveNodes().stream().filter(n -> n.op() == Op.SOFTPLUS).count();
    assertEquals(0, softplusInBody, IrPrinter.print(body));
    assertFalse(parts.boundaryCount() == 0);
  }

  @Test
  void kernelTextOfPot1WithTwoPlanarFlows() throws Exception {
    CheckedModel model = ElboGradientTest.example("pot1");
    ElboSplit.Parts parts = Compilation.elboParts(model, FlowLayout.of(List.of(FlowKind.PLANAR, FlowKind.PLANAR), 2));
    String text = "# prologue: once per call, from theta\n" + IrPrinter.print(parts.prologue())
        + "\n# body: once per draw, from the prologue's values and eps\n" + IrPrinter.print(parts.body())
        + "\n# epilogue: once per call, the body gradients summed over draws pushed back to theta\n"
        + IrPrinter.print(parts.epilogue());
    Goldens.assertMatches(TestPaths.testResources().resolve("goldens/elbo/pot1_planar2.txt"), text);
  }
}
