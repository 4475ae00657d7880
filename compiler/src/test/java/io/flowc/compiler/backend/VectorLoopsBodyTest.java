package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.kernel.BatchMajor;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.jit.HiddenClasses;
import io.flowc.runtime.simd.Simd;
import io.flowc.runtime.simd.SwitchedKernel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Flow kernels with their elementwise loops in vectors (docs/internals.md, "Vector loops") against
 * the scalar class of the same kernels, bit for bit: loss, gradient, draws and log q, for every
 * flow kind of PyMC3 and the repeated stacks that compile to loops, on models with long vectors
 * and with data; 1, 3 and 8 draws; a NaN-filled reused workspace.
 */
class VectorLoopsBodyTest {
  private static final int[] DRAWS = {1, 3, 8};
  private static int counter;

  @BeforeAll
  static void moduleIsPresent() {
    assertTrue(Simd.enabled(), "the vector module in the test JVM (surefire's argLine)");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "normal100|scale-hh*100-loc",
      "normal100|scale-hh*3-loc",
      "normal100|planar*16",
      "normal100|radial*16-scale",
      "normal100|planar*2-radial-hh-loc",
      "normal100|scale-hh*17-planar*16-radial*16-loc",
      "kidiq_interaction|planar*2-hh*16",
      "logistic|scale-loc",
      "gp_pois_regr|hh*16-planar",
      "earnings|radial-hh*2-scale-loc",
      "diamonds|scale-hh*20-loc"})
  void vectorClassesHaveTheScalarBits(String example, String formula) throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example(example));
    FlowFormula parsed = FlowFormulaParsing.parse(formula);
    FlowLayout layout = FlowLayout.ofFlows(parsed.flows(), model.dimension());
    FlowKernels kernels = Compilation.flowKernels(model, layout, parsed.normalized(), BatchMajor.Policy.NONE);
    String where = example + " with " + formula;
    FlowKernel scalar = load(model, kernels, false, where);
    FlowKernel vector = load(model, kernels, true, where);
    Random random = new Random(formula.hashCode() * 31L + example.hashCode());
    int d = model.dimension();
    for (int draws : DRAWS) {
      double[] theta = layout.initialParameters(0.5, random.nextLong());
      for (int i = 0; i < theta.length; i++) {
        theta[i] += 0.2 * random.nextGaussian();
      }
      double[] eps = new double[draws * d];
      for (int i = 0; i < eps.length; i++) {
        eps[i] = random.nextGaussian();
      }
      String at = where + ", " + draws + " draws";
      double[] expected = new double[theta.length];
      double loss = scalar.lossGradient(theta, eps, draws, expected, new double[scalar.workspaceSize()]);
      double[] gradient = new double[theta.length];
      VectorProductsBodyTest.assertBits(loss, expected, vector.lossGradient(theta, eps, draws, gradient, new double[vector.workspaceSize()]),
          gradient, at);
      double[] used = new double[vector.workspaceSize()];
      Arrays.fill(used, Double.NaN);
      vector.lossGradient(theta, eps, draws, new double[theta.length], used);
      VectorProductsBodyTest.assertBits(loss, expected, vector.lossGradient(theta, eps, draws, gradient, used), gradient,
          at + " (reused workspace)");
      double[] z = new double[draws * d];
      double[] logq = new double[draws];
      scalar.sample(theta, eps, draws, z, logq, new double[scalar.workspaceSize()]);
      double[] vz = new double[draws * d];
      double[] vlogq = new double[draws];
      vector.sample(theta, eps, draws, vz, vlogq, used);
      VectorProductsBodyTest.assertBits(0, z, 0, vz, at + ": draws");
      VectorProductsBodyTest.assertBits(0, logq, 0, vlogq, at + ": log q");
    }
  }

  /**
   * With the option on, a kernel whose body runs draw by draw gets the two classes; one with a
   * batched body keeps one scalar class (its work is in loops over a block's draws); without the
   * option every kernel has one class.
   */
  @Test
  void theOptionGivesKernelsThatRunDrawByDrawTwoClasses() throws Exception {
    CheckedModel pot1 = TestPaths.checkExample(TestPaths.example("pot1"));
    CheckedModel normal100 = TestPaths.checkExample(TestPaths.example("normal100"));
    FlowFormula w4 = FlowFormulaParsing.parse("scale-hh*100-loc");
    assertFalse(Compilation.loadFlow(normal100, w4) instanceof SwitchedKernel, "W4 without the option");
    String before = System.setProperty(Simd.LOOPS_PROPERTY, "true");
    try {
      assertFalse(Compilation.loadFlow(pot1, FlowFormulaParsing.parse("planar*8")) instanceof SwitchedKernel, "W1");
      assertTrue(Compilation.loadFlow(normal100, w4) instanceof SwitchedKernel, "W4");
    } finally {
      if (before == null) {
        System.clearProperty(Simd.LOOPS_PROPERTY);
      } else {
        System.setProperty(Simd.LOOPS_PROPERTY, before);
      }
    }
  }

  private static FlowKernel load(CheckedModel model, FlowKernels kernels, boolean vectorLoops, String where) {
    byte[] bytecode = BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + "VectorLoops" + (counter++), false,
        vectorLoops);
    BackendAgreementTest.verify(bytecode);
    boolean hasVectors = new String(bytecode, StandardCharsets.ISO_8859_1).contains("jdk/incubator/vector/DoubleVector");
    assertEquals(vectorLoops, hasVectors, where + ": vector loops in the class");
    assertTrue(CodeSizes.allCompilable(bytecode), where + ": methods under HotSpot's limit " + CodeSizes.of(bytecode));
    FlowKernel kernel = HiddenClasses.define(bytecode, FlowKernel.class);
    return model.dataLayout().isEmpty() ? kernel : Compilation.dataBinding(model).bind(kernel);
  }
}
