package io.flowc.compiler.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.testing.GuardedModels.GuardedModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The generator of guarded models: its models compile, are defined at their points, and test what they are meant to. */
class GuardedModelsTest {
  static final int MODELS = 300;

  @Test
  void theSameSeedGivesTheSameModel() {
    for (long seed : new long[] {0, 1, -7, Long.MAX_VALUE}) {
      assertEquals(GuardedModels.generate(seed), GuardedModels.generate(seed));
    }
  }

  /**
   * Every model compiles and has a finite potential at its points, and at most of them some
   * branch not taken has a value that is NaN or infinite.
   */
  @Test
  void untakenBranchesAreUndefinedAtMostPoints() throws CompileException {
    int points = 0;
    int undefined = 0;
    for (long seed = 0; seed < MODELS; seed++) {
      GuardedModel m = GuardedModels.generate(seed);
      CheckedModel model = FrontEnd.check(new SourceFile("guarded.flow", m.text()));
      assertEquals(m.dimension(), model.dimension(), m.toString());
      IrFunction lowered = Compilation.lowered(model);
      List<IrFunction.Output> everyNode = new ArrayList<>();
      for (Node n : lowered.liveNodes()) {
        everyNode.add(new IrFunction.Output("node" + n.id(), n));
      }
      IrFunction all = lowered.withOutputs(everyNode);
      Interpreter interpreter = new Interpreter(model);
      Random random = new Random(seed);
      for (int k = 0; k < 3; k++) {
        double[] z = m.point(random);
        assertTrue(Double.isFinite(interpreter.potential(z)), () -> "potential not finite at " + Arrays.toString(z) + " of " + m);
        points++;
        boolean someUndefined = IrEvaluator.evaluate(all, z).values().stream()
            .flatMapToDouble(Arrays::stream)
            .anyMatch(v -> !Double.isFinite(v));
        undefined += someUndefined ? 1 : 0;
      }
    }
    int total = points;
    int count = undefined;
    assertTrue(count >= 0.5 * total, () -> "only " + count + " of " + total + " points have an undefined branch");
  }
}
