package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.kernel.BatchMajor;
import io.flowc.compiler.kernel.BatchedBody;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.runtime.flow.FlowLayout;
import java.util.List;
import java.util.stream.Stream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Batch-major bodies of neural flows (matrix-vector products, outer products, masked weights,
 * spline bins) against the per-draw body, bit for bit in bytecode, Java source and the kernel
 * interpreter ({@link BatchedBodyTest#check}): one draw, a partial block, several blocks, and
 * more draws than the compiler's block holds.
 */
class BatchedNeuralBodyTest {
  private static final BatchMajor.Policy SMALL = new BatchMajor.Policy(8, 1);
  private static final int[] DRAWS = {1, 3, 17, 130};

  /** Three coordinates with a dependence between them, so that every coupling split has work on both sides. */
  static final String THREE = """
      model three {
        param a;
        param b > 0;
        param c;
        a ~ normal(0, 1);
        b ~ exponential(1);
        c ~ normal(a, b);
      }
      """;

  @ParameterizedTest
  @ValueSource(strings = {"nsf(hidden=8)*2", "realnvp(hidden=8)*2", "iaf(hidden=8)*2", "nsf_ar(hidden=8)",
      "sylvester*2", "planar-nsf(hidden=8)-realnvp(hidden=8)-planar"})
  void pot1(String formula) throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("pot1"));
    BatchedBodyTest.check(model, formula, SMALL, DRAWS, formula.startsWith("nsf(") || formula.startsWith("planar"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"nsf(hidden=8)*2", "realnvp(hidden=8)*2", "iaf(hidden=8)*2", "nsf_ar(hidden=8)",
      "sylvester*2", "planar-iaf(hidden=8)-sylvester-nsf_ar(hidden=8)-planar"})
  void threeDimensions(String formula, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("three.flow");
    Files.writeString(file, THREE);
    CheckedModel model = TestPaths.checkExample(file);
    BatchedBodyTest.check(model, formula, SMALL, DRAWS, formula.startsWith("planar") || formula.startsWith("sylvester"));
  }

  /**
   * The products with the flows' weights (shared by all draws) run for the whole block, forward
   * and transposed, and so do the weights' gradients (sums over draws of outer products); the
   * tests above check them bit for bit.
   */
  @Test
  void productsWithSharedWeightsRunPerBlock() throws Exception {
    BatchedBody batched = pot1Batched("nsf(hidden=8)*2");
    List<Kernel.BlockMatVec> products = instructions(batched, true).filter(i -> i instanceof Kernel.BlockMatVec)
        .map(i -> (Kernel.BlockMatVec) i).toList();
    assertTrue(products.stream().anyMatch(p -> !p.transposed()), "forward products per block");
    assertTrue(products.stream().anyMatch(Kernel.BlockMatVec::transposed), "transposed products per block");
    List<Kernel.BlockOuterSum> gradients = instructions(batched, true).filter(i -> i instanceof Kernel.BlockOuterSum)
        .map(i -> (Kernel.BlockOuterSum) i).toList();
    assertTrue(gradients.stream().anyMatch(g -> g.mask() != null), "the spline's weight gradients (inside the bound) per block");
    assertTrue(batched.segments().stream().flatMap(s -> s.kernel().body().stream()).noneMatch(i -> i instanceof Kernel.Outer),
        "no outer product left per draw");
  }

  /**
   * The compiler's rule counts products with shared weights and their gradients as work across
   * the block: W7's spline couplings (64 hidden units) are batched, as are the small ones here.
   */
  @Test
  void theCompilerBatchesNeuralBodies() throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("pot1"));
    for (String text : List.of("nsf(hidden=64)*3", "realnvp(hidden=8)*2")) {
      FlowFormula formula = FlowFormulaParsing.parse(text);
      FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
      assertNotNull(Compilation.flowKernels(model, layout, formula.normalized()).batched(), text);
    }
  }

  /**
   * The networks' elementwise steps over hidden units (biases, activations and their
   * derivatives, a one-column weight's gradient) and the sums of the bias gradients run across
   * the block, draws innermost: what stays per draw is the spline's searches, picks, puts and
   * log-sum-exps. The tests above check that the values keep their bits.
   */
  @Test
  void elementwiseStepsAndVectorSumsRunAcrossTheBlock() throws Exception {
    BatchedBody batched = pot1Batched("nsf(hidden=8)*2");
    for (Kernel.Instr i : instructions(batched, false).toList()) {
      assertTrue(i instanceof Kernel.Search || i instanceof Kernel.Pick || i instanceof Kernel.Put
          || i instanceof Kernel.Reduce || i instanceof Kernel.Store || i instanceof Kernel.Return, "per draw: " + i);
    }
    assertTrue(instructions(batched, true).filter(i -> i instanceof Kernel.Repeat).count() >= 8,
        "elementwise steps across the block");
  }

  /** pot1's body with {@code formula}, batched in blocks of 8. */
  private static BatchedBody pot1Batched(String formula) throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("pot1"));
    FlowFormula parsed = FlowFormulaParsing.parse(formula);
    FlowLayout layout = FlowLayout.ofFlows(parsed.flows(), model.dimension());
    return Compilation.flowKernels(model, layout, parsed.normalized(), SMALL).batched();
  }

  /** The instructions of the segments that run once per block ({@code perBlock}) or once per draw. */
  private static Stream<Kernel.Instr> instructions(BatchedBody batched, boolean perBlock) {
    return batched.segments().stream().filter(s -> s.perBlock() == perBlock).flatMap(s -> s.kernel().body().stream());
  }

  /** The compiler's own block size with a neural flow: blocks of 128 and a partial one. */
  @Test
  void defaultBlockSize() throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("pot1"));
    BatchedBodyTest.check(model, "nsf(hidden=8)*2", new BatchMajor.Policy(BatchMajor.BLOCK_SIZE, 1), new int[] {130},
        false);
  }
}
