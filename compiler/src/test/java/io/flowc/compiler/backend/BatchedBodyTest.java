package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.kernel.BatchMajor;
import io.flowc.compiler.kernel.BatchedBody;
import io.flowc.compiler.kernel.KernelInterpreter;
import io.flowc.runtime.flow.DrawBlocks;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.jit.HiddenClasses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batch-major ELBO bodies ({@link BatchMajor}) against the per-draw body: loss and gradient bit
 * for bit, in bytecode, in Java source and run by the kernel interpreter, on every example with
 * every flow kind, for one draw, draw counts that leave a partial block, and several blocks.
 */
class BatchedBodyTest {
  /** A small block, so that a few draws make several blocks and a partial one. */
  private static final BatchMajor.Policy SMALL = new BatchMajor.Policy(4, 1);
  private static final int[] DRAWS = {1, 3, 4, 9};
  private static final List<String> FORMULAS = List.of("loc", "scale", "planar", "radial", "hh",
      "scale-planar*2-radial-hh-loc");

  private static int counter;

  static Stream<String> examples() throws IOException {
    try (Stream<Path> files = Files.list(TestPaths.examples())) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".flow"))
          .map(n -> n.substring(0, n.length() - ".flow".length()))
          .filter(n -> !n.equals("gp_pois_regr")) // dense linear algebra stays per draw, see below
          .sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleWithEveryFlowKind(String name) throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example(name));
    if (model.ast().statements().stream().anyMatch(io.flowc.compiler.frontend.Ast.Loop.class::isInstance)) {
      // a body with a loop (a scan) stays per draw: docs/internals.md, "Scan", Kernels
      for (String formula : FORMULAS) {
        FlowFormula parsed = FlowFormulaParsing.parse(formula);
        assertNull(Compilation.flowKernels(model, FlowLayout.ofFlows(parsed.flows(), model.dimension()),
            parsed.normalized(), SMALL).batched(), name + " with " + formula);
      }
      return;
    }
    for (String formula : FORMULAS) {
      // the Java source once per example: javac is slow
      check(model, formula, SMALL, DRAWS, formula.contains("-"));
    }
  }

  /** The compiler's own block size: one partial block, one full block and a bit. */
  @Test
  void defaultBlocks() throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("pot1"));
    int block = BatchMajor.DEFAULT.blockSize();
    check(model, "planar*8", BatchMajor.DEFAULT, new int[] {BatchMajor.DEFAULT.minDraws(), 100, block, block + 3}, true);
  }

  /** Below the policy's fewest draws, the per-draw body runs (and gives the same bits). */
  @Test
  void fewDrawsRunTheBodyDrawByDraw() throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("pot2"));
    check(model, "radial*3", new BatchMajor.Policy(8, 5), new int[] {1, 4, 5, 17}, true);
  }

  /**
   * W4's body unrolled (scale-hh*100-loc on the 100-d normal, its reflections one copy each):
   * every batched method under HotSpot's limit. (By default the reflections are a loop, which
   * stays per draw.)
   */
  @Test
  void largeBodySplitsIntoSmallMethods() throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("normal100"));
    FlowKernels kernels = io.flowc.compiler.flow.RepeatedFlows.withLoopFrom(Integer.MAX_VALUE, () -> {
      try {
        return check(model, "scale-hh*100-loc", SMALL, new int[] {3}, false);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertTrue(kernels.batchedSplits().stream().mapToInt(s -> s.parts().size()).sum() > kernels.batched().segments().size(),
        "some segment is split");
  }

  /**
   * The compiler's rule: bodies of scalar steps (W1, W2) are batched; bodies whose work per draw
   * is mostly long-vector loops (W4, a model's loops over its data) keep the per-draw body.
   */
  @Test
  void theCompilerBatchesBodiesOfScalarSteps() throws Exception {
    assertNotNull(defaultKernels("pot1", "planar*8").batched());
    assertNotNull(defaultKernels("pot4", "planar*10").batched());
    assertNull(defaultKernels("normal100", "scale-hh*100-loc").batched());
    assertNull(defaultKernels("kidiq_interaction", "planar*2").batched());
  }

  private static FlowKernels defaultKernels(String example, String formulaText) throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example(example));
    FlowFormula formula = FlowFormulaParsing.parse(formulaText);
    return Compilation.flowKernels(model, FlowLayout.ofFlows(formula.flows(), model.dimension()), formula.normalized());
  }

  /**
   * A Cholesky factor (a runtime routine over one draw's contiguous matrix, docs/internals.md,
   * "Dense linear algebra") keeps the per-draw body.
   */
  @Test
  void denseLinearAlgebraStaysPerDraw() throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("gp_pois_regr"));
    FlowFormula formula = FlowFormulaParsing.parse("scale-loc");
    FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
    assertNull(Compilation.flowKernels(model, layout, formula.normalized(), BatchMajor.DEFAULT).batched());
  }

  /** Values of data-dependent length (a model compiled for minibatches) keep the per-draw body. */
  @Test
  void dynamicLengthsStayPerDraw() throws Exception {
    CheckedModel model = Compilation.freeSizes(TestPaths.checkExample(TestPaths.example("regression")));
    FlowFormula formula = FlowFormulaParsing.parse("scale-loc");
    FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
    assertNull(Compilation.flowKernels(model, layout, formula.normalized(), BatchMajor.DEFAULT).batched());
  }

  /**
   * Builds the per-draw and the batched kernels and compares them at each draw count: bytecode
   * per draw, bytecode batched, Java source batched, interpreter batched.
   */
  static FlowKernels check(CheckedModel model, String formulaText, BatchMajor.Policy policy, int[] drawCounts,
      boolean withJavaSource) throws Exception {
    FlowFormula formula = FlowFormulaParsing.parse(formulaText);
    FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
    String where = model.name() + " with " + formulaText;
    FlowKernels plain = Compilation.flowKernels(model, layout, formula.normalized(), BatchMajor.Policy.NONE);
    FlowKernels batched = Compilation.flowKernels(model, layout, formula.normalized(), policy);
    assertNull(plain.batched(), where);
    assertNotNull(batched.batched(), where + ": no batched body");
    FlowKernel perDraw = load(model, plain, where);
    FlowKernel asm = load(model, batched, where);
    FlowKernel java = null;
    if (withJavaSource) {
      String name = "Batched" + (counter++);
      Map<String, byte[]> compiled = InMemoryJavac.compile(JavaSourceBackend.emit(batched, "io.flowc.generated", name));
      BackendAgreementTest.assertMethodsBelowHugeLimit(where + " (Java source)", compiled.get("io.flowc.generated." + name),
          "lossGradient");
      java = bound(model,
          (FlowKernel) InMemoryJavac.load(compiled, "io.flowc.generated." + name).getDeclaredConstructor().newInstance());
    }
    Random random = new Random(formulaText.hashCode() * 31L + model.name().hashCode());
    int d = model.dimension();
    for (int draws : drawCounts) {
      double[] theta = layout.initialParameters(0.5, random.nextLong());
      double[] eps = new double[draws * d];
      for (int i = 0; i < eps.length; i++) {
        eps[i] = random.nextGaussian();
      }
      String at = where + ", " + draws + " draws";
      double[] expected = new double[theta.length];
      double loss = perDraw.lossGradient(theta, eps, draws, expected, new double[perDraw.workspaceSize()]);
      double[] gradient = new double[theta.length];
      assertBits(loss, expected, asm.lossGradient(theta, eps, draws, gradient, new double[asm.workspaceSize()]), gradient,
          at + " (bytecode)");
      // a workspace used before: nothing may depend on what it held
      double[] used = new double[asm.workspaceSize()];
      Arrays.fill(used, Double.NaN);
      asm.lossGradient(theta, eps, draws, new double[theta.length], used);
      assertBits(loss, expected, asm.lossGradient(theta, eps, draws, gradient, used), gradient, at + " (reused workspace)");
      if (java != null) {
        assertBits(loss, expected, java.lossGradient(theta, eps, draws, gradient, new double[java.workspaceSize()]),
            gradient, at + " (Java source)");
      }
      assertBits(loss, expected, interpreted(batched, theta, eps, draws, gradient, dataWorkspace(model, asm)), gradient,
          at + " (interpreter)");
    }
    return batched;
  }

  private static FlowKernel load(CheckedModel model, FlowKernels kernels, String where) {
    byte[] bytecode = BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + "Batched" + (counter++));
    BackendAgreementTest.verify(bytecode);
    BackendAgreementTest.assertMethodsBelowHugeLimit(where + " (bytecode)", bytecode, "lossGradient");
    return bound(model, HiddenClasses.define(bytecode, FlowKernel.class));
  }

  /** The kernel reading the model's data, as the compiler hands it out. */
  private static FlowKernel bound(CheckedModel model, FlowKernel kernel) {
    return model.dataLayout().isEmpty() ? kernel : Compilation.dataBinding(model).bind(kernel);
  }

  private static void assertBits(double expectedLoss, double[] expectedGradient, double loss, double[] gradient, String at) {
    assertEquals(Double.doubleToRawLongBits(expectedLoss), Double.doubleToRawLongBits(loss), at + ": loss");
    for (int i = 0; i < gradient.length; i++) {
      assertEquals(Double.doubleToRawLongBits(expectedGradient[i]), Double.doubleToRawLongBits(gradient[i]),
          at + ": gradient " + i);
    }
  }

  /** A workspace with the model's data in place, as a bound kernel's first call leaves it. */
  private static double[] dataWorkspace(CheckedModel model, FlowKernel kernel) {
    double[] w = new double[kernel.workspaceSize()];
    kernel.lossGradient(new double[kernel.parameterCount()], new double[kernel.dimension()], 1,
        new double[kernel.parameterCount()], w);
    return w;
  }

  /** The generated lossGradient's steps, each kernel run by the {@link KernelInterpreter}. */
  static double interpreted(FlowKernels k, double[] theta, double[] eps, int draws, double[] grad, double[] w) {
    BatchedBody b = k.batched();
    new KernelInterpreter(k.prologue()).run(theta, null, w, null, 0);
    for (int i = k.lossOffset(); i < k.accumulatorEnd(); i++) {
      w[i] = 0;
    }
    if (draws >= b.minDraws()) {
      for (int s = 0; s < draws; s += b.blockSize()) {
        int n = Math.min(b.blockSize(), draws - s);
        w[b.countSlot()] = n;
        DrawBlocks.transpose(eps, s, n, k.dimension(), w, b.epsRows() + 1, b.rowStride());
        for (BatchedBody.Segment segment : b.segments()) {
          KernelInterpreter interpreter = new KernelInterpreter(segment.kernel());
          if (segment.perBlock()) {
            interpreter.run(null, null, w, null, 0);
          } else {
            for (int draw = 0; draw < n; draw++) {
              interpreter.run(null, null, w, null, draw);
            }
          }
        }
      }
    } else {
      for (int s = 0; s < draws; s++) {
        new KernelInterpreter(k.body()).run(null, null, w, eps, s * k.dimension());
      }
    }
    for (int i = k.lossOffset(); i < k.accumulatorEnd(); i++) {
      w[i] = w[i] / draws;
    }
    new KernelInterpreter(k.epilogue()).run(theta, grad, w, null, 0);
    return w[k.lossOffset()];
  }
}
