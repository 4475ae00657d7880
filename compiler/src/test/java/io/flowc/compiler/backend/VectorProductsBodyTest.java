package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.SameBits;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Batched bodies whose block products run through {@code io.flowc.runtime.simd.VectorProducts}
 * against the scalar batched body, the per-draw body and the kernel interpreter, bit for bit
 * (docs/performance.md, "SIMD products"): neural and PyMC3 flows, odd draw counts (tails of
 * every vector loop), a block of 128 and a partial one, and a NaN-filled reused workspace.
 */
class VectorProductsBodyTest {
  private static final int[] DRAWS = {1, 3, 7, 9, 129};
  /** Every draw count batched; blocks of the compiler's size, so 129 draws leave a block of one. */
  private static final BatchMajor.Policy EVERY_CALL = new BatchMajor.Policy(BatchMajor.BLOCK_SIZE, 1);
  /** Blocks of nine: each full block leaves a draw beyond the vectors and the 4 x 4 tiles. */
  private static final BatchMajor.Policy NINE = new BatchMajor.Policy(9, 1);

  private static final String THREE = """
      model three {
        param a;
        param b > 0;
        param c;
        a ~ normal(0, 1);
        b ~ exponential(1);
        c ~ normal(a, b);
      }
      """;

  private static int counter;

  @BeforeAll
  static void moduleIsPresent() {
    // surefire passes --add-modules jdk.incubator.vector (the root pom): without it nothing here is vectorized
    assertTrue(Simd.enabled(), "the vector module in the test JVM");
  }

  @ParameterizedTest
  @ValueSource(strings = {"nsf(hidden=8)*2", "nsf(hidden=13,layers=3)", "realnvp(hidden=9)*2", "iaf(hidden=8)*2",
      "nsf_ar(hidden=8)", "sylvester*2", "planar-nsf(hidden=8)-realnvp(hidden=8)-planar"})
  void neuralFlowsOnPot1(String formula) throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("pot1"));
    check(model, formula, EVERY_CALL);
    check(model, formula, NINE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nsf(hidden=8)*2", "realnvp(hidden=7)*2", "iaf(hidden=5)*2", "sylvester*2",
      "planar-iaf(hidden=8)-sylvester-nsf_ar(hidden=8)-planar"})
  void neuralFlowsInThreeDimensions(String formula, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("three.flow");
    Files.writeString(file, THREE);
    check(TestPaths.checkExample(file), formula, NINE);
  }

  /** PyMC3's flows have no block products: the vector option leaves their class as it is. */
  @ParameterizedTest
  @ValueSource(strings = {"scale-planar*2-radial-hh-loc", "planar*8"})
  void pymc3FlowsAreUnchanged(String formula) throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("pot1"));
    FlowKernels kernels = kernels(model, formula, EVERY_CALL);
    assertNotNull(kernels.batched(), formula);
    String name = BytecodeBackend.JIT_PACKAGE + "Same";
    assertTrue(Arrays.equals(BytecodeBackend.emit(kernels, name, false), BytecodeBackend.emit(kernels, name, true)),
        formula);
    check(model, formula, NINE);
  }

  /** The vector path is taken: the class calls both products; the scalar class calls neither. */
  @Test
  void neuralBodiesCallTheVectorProducts() throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("pot1"));
    FlowKernels kernels = kernels(model, "nsf(hidden=8)*2", EVERY_CALL);
    String vector = new String(BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + "V", true),
        StandardCharsets.ISO_8859_1);
    String scalar = new String(BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + "S", false),
        StandardCharsets.ISO_8859_1);
    assertTrue(vector.contains("io/flowc/runtime/simd/VectorProducts"), "vector class");
    assertTrue(vector.contains("blockMatVec") && vector.contains("blockOuterSum"), "both products");
    assertFalse(scalar.contains("VectorProducts"), "scalar class");
  }

  private static FlowKernels kernels(CheckedModel model, String formulaText, BatchMajor.Policy policy)
      throws Exception {
    FlowFormula formula = FlowFormulaParsing.parse(formulaText);
    FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
    return Compilation.flowKernels(model, layout, formula.normalized(), policy);
  }

  private static void check(CheckedModel model, String formulaText, BatchMajor.Policy policy) throws Exception {
    FlowFormula formula = FlowFormulaParsing.parse(formulaText);
    FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
    String where = model.name() + " with " + formulaText + ", blocks of " + policy.blockSize();
    FlowKernels plain = Compilation.flowKernels(model, layout, formula.normalized(), BatchMajor.Policy.NONE);
    FlowKernels batched = Compilation.flowKernels(model, layout, formula.normalized(), policy);
    assertNotNull(batched.batched(), where);
    FlowKernel perDraw = load(model, plain, false);
    FlowKernel scalar = load(model, batched, false);
    FlowKernel vector = load(model, batched, true);
    Random random = new Random(formulaText.hashCode() * 31L + policy.blockSize());
    int d = model.dimension();
    for (int draws : DRAWS) {
      double[] theta = SameBits.nearStart(layout, random);
      double[] eps = SameBits.normals(draws * d, random);
      String at = where + ", " + draws + " draws";
      double[] expected = new double[theta.length];
      double loss = perDraw.lossGradient(theta, eps, draws, expected, new double[perDraw.workspaceSize()]);
      double[] gradient = new double[theta.length];
      assertBits(loss, expected, scalar.lossGradient(theta, eps, draws, gradient, new double[scalar.workspaceSize()]),
          gradient, at + " (scalar batched)");
      assertBits(loss, expected, vector.lossGradient(theta, eps, draws, gradient, new double[vector.workspaceSize()]),
          gradient, at + " (vector)");
      double[] used = new double[vector.workspaceSize()];
      Arrays.fill(used, Double.NaN);
      vector.lossGradient(theta, eps, draws, new double[theta.length], used);
      assertBits(loss, expected, vector.lossGradient(theta, eps, draws, gradient, used), gradient,
          at + " (vector, reused workspace)");
      double[] w = new double[vector.workspaceSize()];
      vector.lossGradient(new double[theta.length], new double[d], 1, new double[theta.length], w);
      assertBits(loss, expected, BatchedBodyTest.interpreted(batched, theta, eps, draws, gradient, w), gradient,
          at + " (interpreter)");
    }
  }

  private static FlowKernel load(CheckedModel model, FlowKernels kernels, boolean vectorProducts) {
    byte[] bytecode = BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + "Vectorized" + (counter++),
        vectorProducts);
    BackendAgreementTest.verify(bytecode);
    FlowKernel kernel = HiddenClasses.define(bytecode, FlowKernel.class);
    return model.dataLayout().isEmpty() ? kernel : Compilation.dataBinding(model).bind(kernel);
  }

  /** The loss and every element of the gradient (or any two arrays) bit for bit. */
  static void assertBits(double expectedLoss, double[] expectedGradient, double loss, double[] gradient,
      String at) {
    assertEquals(Double.doubleToRawLongBits(expectedLoss), Double.doubleToRawLongBits(loss), at + ": loss");
    for (int i = 0; i < gradient.length; i++) {
      assertEquals(Double.doubleToRawLongBits(expectedGradient[i]), Double.doubleToRawLongBits(gradient[i]),
          at + ": gradient " + i);
    }
  }
}
