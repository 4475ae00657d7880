package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.TestPaths;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.kernel.KernelInterpreter;
import io.flowc.compiler.testing.RandomModels;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.jit.HiddenClasses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ELBO kernels (prologue, draws, epilogue): bytecode and Java source bit for bit against each
 * other and against the kernels run by the kernel interpreter, and to 1e-12 against the undivided
 * per-draw IR averaged over the draws; every class verifies and every method stays small.
 */
class FlowKernelAgreementTest {

  record Case(CheckedModel model, String formula) {}

  private static int counter;

  static CheckedModel example(String name) throws Exception {
    return TestPaths.checkExample(TestPaths.example(name));
  }

  static double referenceLossGradient(FlowKernels k, double[] theta, double[] eps, int draws, double[] grad, int workspace) {
    double[] w = new double[workspace];
    new KernelInterpreter(k.prologue()).run(theta, null, w, null, 0);
    for (int i = k.lossOffset(); i < k.accumulatorEnd(); i++) {
      w[i] = 0;
    }
    for (int s = 0; s < draws; s++) {
      new KernelInterpreter(k.body()).run(null, null, w, eps, s * k.dimension());
    }
    for (int i = k.lossOffset(); i < k.accumulatorEnd(); i++) {
      w[i] = w[i] / draws;
    }
    new KernelInterpreter(k.epilogue()).run(theta, grad, w, null, 0);
    return w[k.lossOffset()];
  }

  static void check(CheckedModel model, String formulaText, long seed, boolean withJavaSource) throws Exception {
    check(model, formulaText, seed, withJavaSource, 0);
  }

  /** As above with {@code noise} times N(0,1) added to every start value: neural flows away from the identity start. */
  static void check(CheckedModel model, String formulaText, long seed, boolean withJavaSource, double noise)
      throws Exception {
    FlowFormula formula = FlowFormulaParsing.parse(formulaText);
    FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
    FlowKernels kernels = Compilation.flowKernels(model, layout, formula.normalized());
    String name = "Flow" + (counter++);
    byte[] bytecode = BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + name);
    BackendAgreementTest.verify(bytecode);
    String where = model.name() + " with " + formulaText;
    BackendAgreementTest.assertMethodsBelowHugeLimit(where + " (bytecode)", bytecode, "lossGradient");
    FlowKernel asm = HiddenClasses.define(bytecode, FlowKernel.class);
    FlowKernel java = null;
    if (withJavaSource) {
      Map<String, byte[]> compiled = InMemoryJavac.compile(JavaSourceBackend.emit(kernels, "io.flowc.generated", name));
      BackendAgreementTest.assertMethodsBelowHugeLimit(where + " (Java source)", compiled.get("io.flowc.generated." + name),
          "lossGradient");
      java = (FlowKernel) InMemoryJavac.load(compiled, "io.flowc.generated." + name).getDeclaredConstructor().newInstance();
    }
    assertEquals(layout.parameterCount(), asm.parameterCount());
    assertEquals(model.dimension(), asm.dimension());

    IrFunction elbo = Compilation.elbo(model, layout);
    Random random = new Random(seed);
    int d = model.dimension();
    for (int draws : new int[] {1, 3}) {
      double[] theta = layout.initialParameters(0.5, random.nextLong());
      Random perturbation = new Random(seed + draws);
      for (int i = 0; noise > 0 && i < theta.length; i++) {
        theta[i] += noise * perturbation.nextGaussian();
      }
      double[] eps = new double[draws * d];
      for (int i = 0; i < eps.length; i++) {
        eps[i] = random.nextGaussian();
      }
      double[] gAsm = new double[theta.length];
      double[] gRef = new double[theta.length];
      double loss = asm.lossGradient(theta, eps, draws, gAsm, new double[asm.workspaceSize()]);
      double reference = referenceLossGradient(kernels, theta, eps, draws, gRef, asm.workspaceSize());
      String at = where + ", " + draws + " draws";
      assertEquals(Double.doubleToLongBits(reference), Double.doubleToLongBits(loss), at + ": loss vs kernel interpreter");
      for (int i = 0; i < theta.length; i++) {
        assertEquals(Double.doubleToLongBits(gRef[i]), Double.doubleToLongBits(gAsm[i]), at + ": gradient " + i);
      }
      if (java != null) {
        double[] gJava = new double[theta.length];
        assertEquals(Double.doubleToLongBits(loss),
            Double.doubleToLongBits(java.lossGradient(theta, eps, draws, gJava, new double[java.workspaceSize()])), at + ": Java");
        for (int i = 0; i < theta.length; i++) {
          assertEquals(Double.doubleToLongBits(gAsm[i]), Double.doubleToLongBits(gJava[i]), at + ": Java gradient " + i);
        }
      }
      // against the undivided per-draw IR, averaged
      double expectedLoss = 0;
      double[] expectedGradient = new double[theta.length];
      for (int s = 0; s < draws; s++) {
        double[] row = Arrays.copyOfRange(eps, s * d, s * d + d);
        double[] input = new double[theta.length + d];
        System.arraycopy(theta, 0, input, 0, theta.length);
        System.arraycopy(row, 0, input, theta.length, d);
        Map<String, double[]> r = IrEvaluator.evaluate(elbo, input);
        expectedLoss += r.get("loss")[0] / draws;
        for (Node p : elbo.inputs().subList(0, layout.slots().size())) {
          double[] g = r.get(Compilation.gradientName(p));
          for (int i = 0; i < g.length; i++) {
            expectedGradient[elbo.offsetOf(p) + i] += g[i] / draws;
          }
        }
      }
      assertEquals(expectedLoss, loss, 1e-12 * Math.max(1, Math.abs(expectedLoss)), at + ": loss vs IR");
      checkSampling(kernels, asm, java, elbo, theta, eps, draws, at);
      for (int i = 0; i < theta.length; i++) {
        assertEquals(expectedGradient[i], gAsm[i], 1e-11 * Math.max(1, Math.abs(expectedGradient[i])),
            at + ": gradient " + layout.elementNames().get(i) + " vs IR");
      }
    }
  }

  /** Draws z_K and log q: bit for bit with the kernels interpreted, to 1e-12 with the per-draw IR. */
  static void checkSampling(FlowKernels k, FlowKernel asm, FlowKernel java, IrFunction elbo, double[] theta,
      double[] eps, int draws, String at) {
    int d = k.dimension();
    double[] z = new double[draws * d];
    double[] logq = new double[draws];
    asm.sample(theta, eps, draws, z, logq, new double[asm.workspaceSize()]);
    double[] w = new double[asm.workspaceSize()];
    new KernelInterpreter(k.prologue()).run(theta, null, w, null, 0);
    for (int s = 0; s < draws; s++) {
      new KernelInterpreter(k.sample()).run(null, null, w, eps, s * d);
      for (int j = 0; j < d; j++) {
        assertEquals(Double.doubleToLongBits(w[k.zOffset() + j]), Double.doubleToLongBits(z[s * d + j]), at + ": z");
      }
      assertEquals(Double.doubleToLongBits(w[k.logqOffset()]), Double.doubleToLongBits(logq[s]), at + ": log q");
      double[] input = new double[theta.length + d];
      System.arraycopy(theta, 0, input, 0, theta.length);
      System.arraycopy(eps, s * d, input, theta.length, d);
      Map<String, double[]> r = IrEvaluator.evaluate(elbo, input);
      assertEquals(r.get("logq")[0], logq[s], 1e-12 * Math.max(1, Math.abs(logq[s])), at + ": log q vs IR");
      for (int j = 0; j < d; j++) {
        assertEquals(r.get("z")[j], z[s * d + j], 1e-12 * Math.max(1, Math.abs(z[s * d + j])), at + ": z vs IR");
      }
    }
    if (java != null) {
      double[] zJava = new double[draws * d];
      double[] logqJava = new double[draws];
      java.sample(theta, eps, draws, zJava, logqJava, new double[java.workspaceSize()]);
      assertEquals(Arrays.toString(z), Arrays.toString(zJava), at + ": Java z");
      assertEquals(Arrays.toString(logq), Arrays.toString(logqJava), at + ": Java log q");
    }
  }

  @Test
  void notebookPotentialsWithEveryFlow() throws Exception {
    for (String name : List.of("pot1", "pot2", "pot3", "pot4", "kitchen_sink")) {
      CheckedModel model = example(name);
      for (String formula : List.of("planar*2", "planar*8", "radial*4-loc", "scale-hh*2-loc", "loc-scale-planar-radial-hh")) {
        check(model, formula, 3, formula.equals("planar*2") || name.equals("kitchen_sink"));
      }
    }
  }

  /** The neural flows of docs/spec/neural_flows.md, away from their identity start, alone and mixed with PyMC3's. */
  @Test
  void neuralFlowsAgreeAtRandomParameters() throws Exception {
    CheckedModel model = example("kitchen_sink");
    check(model, "scale-nsf(bins=3,hidden=4)-hh-iaf(hidden=5,act=tanh)-sylvester(m=2)-loc", 7, false, 0.3);
    check(model, "realnvp(hidden=6,act=elu)*2-nsf_ar(bins=3,hidden=5)-reverse", 8, false, 0.3);
  }

  /** The same through the Java source backend. */
  @Test
  void neuralFlowsAgreeThroughJavaSource() throws Exception {
    check(example("pot1"), "nsf(bins=3,hidden=4)-iaf(hidden=3,act=elu)-sylvester-realnvp(hidden=3)", 9, true, 0.3);
  }

  /** W4: scale-hh*100-loc on the 100-d normal, every method under the 8000-byte limit. */
  @Test
  void scaleHouseholder100LocOnNormal100() throws Exception {
    check(example("normal100"), "scale-hh*100-loc", 5, true);
    check(example("normal100"), "planar*3-radial", 6, true);
  }

  /** The compiled kernel's gradient against central differences of its own loss. */
  @Test
  void compiledGradientMatchesFiniteDifferences() throws Exception {
    // with data too: a gather by data integers (hierarchical), a matrix product (sblrc_blr), derived data (kidiq)
    for (String[] c : new String[][] {{"pot1", "planar*2"}, {"pot4", "radial-scale-hh-loc"}, {"normal100", "scale-hh*3-loc"},
        {"hierarchical", "scale-hh*2-loc"}, {"sblrc_blr", "planar*2-loc"}, {"kidiq_interaction", "scale-loc"}}) {
      CheckedModel model = example(c[0]);
      FlowFormula formula = FlowFormulaParsing.parse(c[1]);
      FlowKernel kernel = Compilation.loadFlow(model, formula);
      FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
      Random random = new Random(31);
      double[] theta = layout.initialParameters(0.5, 9);
      int draws = 4;
      double[] eps = new double[draws * model.dimension()];
      for (int i = 0; i < eps.length; i++) {
        eps[i] = random.nextGaussian();
      }
      double[] w = new double[kernel.workspaceSize()];
      double[] gradient = new double[theta.length];
      kernel.lossGradient(theta, eps, draws, gradient, w);
      double[] scratch = new double[theta.length];
      for (int i = 0; i < theta.length; i += Math.max(1, theta.length / 40)) {
        double h = Math.cbrt(Math.ulp(1.0)) * Math.max(1, Math.abs(theta[i]));
        double[] plus = theta.clone();
        double[] minus = theta.clone();
        plus[i] += h;
        minus[i] -= h;
        double difference = (kernel.lossGradient(plus, eps, draws, scratch, w) - kernel.lossGradient(minus, eps, draws, scratch, w))
            / (2 * h);
        assertEquals(difference, gradient[i], 1e-6 * Math.max(1, Math.abs(difference)),
            c[0] + " " + c[1] + ": " + layout.elementNames().get(i));
      }
    }
  }

  @Test
  void randomModelsWithRandomFormulas() throws Exception {
    Random random = new Random(23);
    String[] kinds = {"loc", "scale", "planar", "radial", "hh"};
    for (int k = 1; k <= 30; k++) {
      RandomModels.RandomModel m = RandomModels.generate(1000 + k);
      List<String> parts = new ArrayList<>();
      for (int f = 0; f < 1 + random.nextInt(3); f++) {
        parts.add(kinds[random.nextInt(kinds.length)]);
      }
      check(FrontEnd.check(new SourceFile("random.flow", m.text())), String.join("-", parts), k, k % 10 == 0);
    }
  }
}
