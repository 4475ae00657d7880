package io.flowc.compiler.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.backend.FlowKernels;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.flow.FlowLayout;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Loop fusion moves sums to the loops that compute their terms, and its overlap analysis costs work in
 * proportion to the kernel, however many groups it fuses.
 */
class LoopFusionTest {

  /** A model of {@code terms} separate vector expressions over data of 40 rows: many loops, many groups. */
  private static Kernel unfusedGradient(int terms) throws Exception {
    StringBuilder text = new StringBuilder("model m { data int N; data real x[N]; param a[" + terms + "]; potential 0");
    for (int k = 0; k < terms; k++) {
      text.append(" + sum(square(x - a[").append(k).append("]))");
    }
    text.append("; }");
    StringBuilder json = new StringBuilder("{\"N\": 40, \"x\": [");
    for (int i = 0; i < 40; i++) {
      json.append(i == 0 ? "" : ", ").append(i * 0.25);
    }
    CheckedModel model = FrontEnd.check(new SourceFile("m.flow", text.toString()),
        StanJson.parse(json.append("]}").toString(), "d.json"));
    IrFunction f = Compilation.valueAndGradient(model);
    List<String> gradients = f.inputs().stream().map(Compilation::gradientName).toList();
    return Scheduler.schedule(f, Compilation.LOGP, gradients, Scheduler.SCALARIZE_LIMIT);
  }

  /**
   * W4's Householder flows: in the gradient's scan back over the reflections, the sum of one
   * reflection's gradient terms runs in the loop that computes those terms, beside that loop's own
   * sum, instead of in the next loop, which needs the first sum: two chains of additions side by
   * side, and the terms never stored.
   */
  @Test
  void aSumJoinsTheLoopThatComputesItsTerms() throws Exception {
    List<Kernel.Repeat> scans = w4BodyScans();
    assertEquals(2, scans.size());
    Kernel.Repeat reverse = scans.get(1);
    assertEquals(!scans.get(0).reverse(), reverse.reverse(), "the gradient's scan runs the other way");
    List<Long> sums = reverse.body().stream().filter(i -> i instanceof Kernel.Fused).map(i ->
        ((Kernel.Fused) i).body().stream().filter(l -> l instanceof Kernel.LaneSum).count()).toList();
    assertEquals(List.of(2L, 0L), sums, "sums per fused loop of the reverse scan's body");
  }

  /**
   * In the same scan, the loop scaling the negated gradient by the reflection's factor needs the
   * first loop's sums; the loop after it needs four scalars computed from them. The first moves down
   * past those scalars and the two fuse: the body is two loops, not three, and the scaled vector is
   * never stored. The same bits (every looped-against-unrolled and backend comparison).
   */
  @Test
  void aLoopMovesDownPastScalarsToJoinTheNextLoop() throws Exception {
    Kernel.Repeat reverse = w4BodyScans().get(1);
    long loops = reverse.body().stream().filter(i -> i instanceof Kernel.Fused || i instanceof Kernel.Loop
        || i instanceof Kernel.Move || i instanceof Kernel.Reduce).count();
    assertEquals(2, loops, "loops in the reverse scan's body: " + reverse.body());
  }

  /** W4's per-draw body's scans: over the reflections for z, then the gradient's back over them. */
  private static List<Kernel.Repeat> w4BodyScans() throws Exception {
    CheckedModel normal100 = FrontEnd.check(new SourceFile("normal100.flow",
        Files.readString(TestPaths.example("normal100"))));
    FlowKernels kernels = Compilation.flowKernels(normal100,
        FlowLayout.ofFlows(FlowFormulaParsing.parse("scale-hh*100-loc").flows(), 100), "scale-hh*100-loc");
    return kernels.body().body().stream().filter(i -> i instanceof Kernel.Repeat).map(Kernel.Repeat.class::cast)
        .toList();
  }

  /**
   * A sum in lanes keeps four accumulators through its loop: it is fused neither beside a call
   * (exp, log, softplus: HotSpot keeps no floating-point register across one) nor with more than
   * two other sums in lanes, in the gradients of the examples with data and in W4's flow kernels.
   * Sums are still fused where they may be (W4's, above), and short sums of up to three terms, one
   * chain each, are not held back.
   */
  @Test
  void sumsInLanesAreFusedNeitherBesideCallsNorMoreThanThreeALoop() throws Exception {
    int checked = 0;
    for (String name : List.of("logistic", "kidiq_interaction", "earnings", "gp_pois_regr", "diamonds", "arK")) {
      CheckedModel model = TestPaths.checkExample(TestPaths.example(name));
      checked += checkLanes(name, Compilation.kernels(model).gradient().body());
    }
    CheckedModel normal100 = TestPaths.checkExample(TestPaths.example("normal100"));
    FlowKernels w4 = Compilation.flowKernels(normal100,
        FlowLayout.ofFlows(FlowFormulaParsing.parse("scale-hh*100-loc").flows(), 100), "scale-hh*100-loc");
    for (Kernel k : List.of(w4.prologue(), w4.body(), w4.epilogue(), w4.sample())) {
      checked += checkLanes("W4", k.body());
    }
    assertTrue(checked > 20, checked + " fused loops with sums in lanes");
  }

  /** The fused loops with sums in lanes, checked. */
  private static int checkLanes(String where, List<Kernel.Instr> body) {
    int checked = 0;
    for (Kernel.Instr instr : body) {
      if (instr instanceof Kernel.Repeat r) {
        checked += checkLanes(where, r.body());
      } else if (instr instanceof Kernel.Call c) {
        checked += checkLanes(where, c.body());
      } else if (instr instanceof Kernel.Fused f && !(f.length().isConstant() && f.length().constant() < 4)) {
        long lanes = f.body().stream().filter(l -> l instanceof Kernel.LaneSum s && s.inLanes()).count();
        boolean calls = f.body().stream().anyMatch(l -> l instanceof Kernel.LaneAssign a && LoopFusion.calls(a.op()));
        if (lanes > 0) {
          assertTrue(!calls, where + ": a sum in lanes beside a call: " + f);
          assertTrue(lanes <= LoopFusion.MAX_SUMS_IN_LANES, where + ": " + lanes + " sums in lanes in one loop");
          checked++;
        }
      }
    }
    return checked;
  }

  @Test
  void overlapAnalysisGrowsLinearlyWithTheKernel() throws Exception {
    Kernel small = unfusedGradient(100);
    Kernel large = unfusedGradient(400);
    double perInstructionSmall = (double) LoopFusion.probesToFuse(small) / small.body().size();
    double perInstructionLarge = (double) LoopFusion.probesToFuse(large) / large.body().size();
    // a pass over the whole body for each fused group made this ratio grow fourfold
    assertTrue(perInstructionLarge < 1.5 * perInstructionSmall,
        "offset evaluations per instruction: " + perInstructionSmall + " for " + small.body().size()
            + " instructions, " + perInstructionLarge + " for " + large.body().size());
  }
}
