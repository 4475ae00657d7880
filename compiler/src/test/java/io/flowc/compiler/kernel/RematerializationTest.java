package io.flowc.compiler.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.backend.FlowKernels;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.ir.Op;
import io.flowc.compiler.kernel.Kernel.Array;
import io.flowc.compiler.kernel.Kernel.At;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.Invariant;
import io.flowc.compiler.kernel.Kernel.Lane;
import io.flowc.compiler.kernel.Kernel.LaneAssign;
import io.flowc.compiler.kernel.Kernel.LaneInstr;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.LaneWrite;
import io.flowc.compiler.kernel.Kernel.Region;
import io.flowc.compiler.kernel.Kernel.Return;
import io.flowc.compiler.kernel.Kernel.Temp;
import io.flowc.runtime.Sums;
import io.flowc.runtime.flow.FlowLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A negated vector is recomputed in the fused loops that read it rather than stored, only where
 * nothing it depends on changes in between, with the same values; and W4's loops over a
 * reflection's vectors walk places aligned alike, all moving with the reflection, the shape
 * HotSpot's superword pass runs in vectors.
 */
class RematerializationTest {
  private static final int N = 8;
  /** Inputs q and v, outputs out and out2, then the kernel's scratch from 32: r, the negation. */
  private static final int SCRATCH = 32;
  private static final Region Q = new Region(Array.WORK, 0);
  private static final Region V = new Region(Array.WORK, 8);
  private static final Region OUT = new Region(Array.WORK, 16);
  private static final Region OUT2 = new Region(Array.WORK, 24);
  private static final Region R = new Region(Array.WORK, 32);

  /** r = -q, its sum with v, then a later loop scaling r into OUT (and whatever {@code between} does first). */
  private static Kernel kernel(List<Instr> between) {
    Fused negate = new Fused(Lin.of(N), List.of(
        new LaneAssign(new Lane(0), Op.NEG, new int[0], List.of(new At(Q))),
        new LaneWrite(R, new Lane(0)),
        new LaneAssign(new Lane(1), Op.MUL, new int[0], List.of(new At(R), new At(V))),
        new LaneSum(new Temp(0), new Lane(1), false)));
    Fused scale = new Fused(Lin.of(N), List.of(
        new LaneAssign(new Lane(0), Op.MUL, new int[0], List.of(new At(R), new Invariant(new Temp(0)))),
        new LaneWrite(OUT, new Lane(0))));
    List<Instr> body = new ArrayList<>(List.of(negate));
    body.addAll(between);
    body.add(scale);
    body.add(new Return(new Temp(0)));
    return new Kernel(0, 40, SCRATCH, 1, body);
  }

  @Test
  void aNegationIsRecomputedByItsReaderAndNotStored() {
    Kernel before = kernel(List.of());
    Kernel after = Rematerialization.apply(before);
    assertFalse(writes(after, R), "r is no longer stored: " + after.body());
    Fused scale = (Fused) after.body().get(1);
    assertTrue(scale.body().get(0) instanceof LaneAssign a && a.op() == Op.NEG && a.args().equals(List.of(new At(Q))),
        "the reader negates q itself: " + scale);
    assertSameResults(before, after);
  }

  @Test
  void aNegationStaysWhereWhatItNegatesChangesBeforeItsReader() {
    Fused overwriteQ = new Fused(Lin.of(N), List.of(
        new LaneAssign(new Lane(0), Op.ADD, new int[0], List.of(new At(Q), new At(V))),
        new LaneWrite(Q, new Lane(0))));
    Kernel before = kernel(List.of(overwriteQ));
    Kernel after = Rematerialization.apply(before);
    assertTrue(writes(after, R), "r stays stored: " + after.body());
    assertEquals(before.body().get(2), after.body().get(2), "the reader still reads r");
    assertSameResults(before, after);
  }

  @Test
  void aNegationStaysStoredWhileAnotherInstructionReadsIt() {
    Kernel.Move copy = new Kernel.Move(OUT2, Lin.of(N), R);
    Kernel before = kernel(List.of(copy));
    Kernel after = Rematerialization.apply(before);
    assertTrue(writes(after, R), "the move still reads r: " + after.body());
    assertSameResults(before, after);
  }

  /** r = q * v, then out = r * r in the same loop: out reads the product from its register, and r is never stored. */
  @Test
  void aLoopReadsBackWhatItWroteFromItsRegister() {
    Kernel before = new Kernel(0, 40, SCRATCH, 1, List.of(productLoop(R), new Return(new Kernel.Const(0))));
    Kernel after = Rematerialization.apply(before);
    assertFalse(writes(after, R), "r is not stored: " + after.body());
    assertFalse(after.body().get(0).toString().contains("At[region=" + R), "r is not read back: " + after.body());
    assertSameResults(before, after);
  }

  /**
   * Scratch whose place is known at run time only (a data-sized value) is left as it is: places of
   * that kind are not compared when compiled.
   */
  @Test
  void scratchOfRunTimePlaceIsLeftAsItIs() {
    Region dynamic = new Region(Array.WORK, Lin.slot(39, 1).plus(SCRATCH));
    Kernel before = new Kernel(0, 40, SCRATCH, 1, List.of(productLoop(dynamic), new Return(new Kernel.Const(0))));
    assertEquals(before.body(), Rematerialization.apply(before).body());
  }

  private static Fused productLoop(Region r) {
    return new Fused(Lin.of(N), List.of(
        new LaneAssign(new Lane(0), Op.MUL, new int[0], List.of(new At(Q), new At(V))),
        new LaneWrite(r, new Lane(0)),
        new LaneAssign(new Lane(1), Op.MUL, new int[0], List.of(new At(r), new At(r))),
        new LaneWrite(OUT, new Lane(1))));
  }

  private static boolean writes(Kernel k, Region r) {
    return k.body().stream().anyMatch(i -> i instanceof Fused f
        && f.body().stream().anyMatch(li -> li instanceof LaneWrite w && w.target().equals(r)));
  }

  private static void assertSameResults(Kernel before, Kernel after) {
    SplittableRandom random = new SplittableRandom(7);
    for (int trial = 0; trial < 5; trial++) {
      double[] work = new double[40];
      for (int i = 0; i < work.length; i++) {
        work[i] = random.nextDouble(-3, 3);
      }
      double[] w1 = work.clone();
      double[] w2 = work.clone();
      double v1 = new KernelInterpreter(before).run(new double[0], null, w1, null, 0);
      double v2 = new KernelInterpreter(after).run(new double[0], null, w2, null, 0);
      assertEquals(Double.doubleToLongBits(v1), Double.doubleToLongBits(v2));
      // the inputs and outputs are the same bits; r, scratch, may be left unwritten
      assertArrayEquals(Arrays.copyOfRange(w1, 0, SCRATCH), Arrays.copyOfRange(w2, 0, SCRATCH));
    }
  }

  /**
   * W4's gradient: in the scan back over the reflections and in the epilogue's, every workspace
   * place a loop over a reflection's 100 elements walks moves with the reflection (no fixed scratch
   * beside them: the negated adjoint is recomputed), and every place starts at a multiple of four
   * elements, theta's too. The forward scan's update writes z's carry in place and stores nothing
   * else (its next value was a second vector, then copied).
   */
  @Test
  void w4sGradientLoopsWalkAlignedPlacesThatMoveTogether() throws Exception {
    CheckedModel normal100 = TestPaths.checkExample(TestPaths.example("normal100"));
    FlowKernels w4 = Compilation.flowKernels(normal100,
        FlowLayout.ofFlows(FlowFormulaParsing.parse("scale-hh*100-loc").flows(), 100), "scale-hh*100-loc");
    List<Kernel.Repeat> bodyScans = w4.body().body().stream().filter(i -> i instanceof Kernel.Repeat)
        .map(Kernel.Repeat.class::cast).toList();
    List<Kernel.Repeat> epilogueScans = w4.epilogue().body().stream().filter(i -> i instanceof Kernel.Repeat)
        .map(Kernel.Repeat.class::cast).toList();
    assertEquals(2, bodyScans.size());
    int checked = 0;
    for (Kernel.Repeat rp : List.of(bodyScans.get(1), epilogueScans.get(0))) {
      for (Instr inner : rp.body()) {
        if (inner instanceof Fused f && f.length().equals(Lin.of(100)) && f.body().stream().noneMatch(l -> l instanceof LaneSum)) {
          for (Region r : regions(f)) {
            assertEquals(0, r.offset().constantTerm() % Sums.LANES, "aligned: " + r + " in " + f);
            if (r.array() == Array.WORK) {
              assertTrue(r.offset().slots().length == 1 && r.offset().slots()[0] == rp.indexSlot(),
                  "moves with the reflection: " + r + " in " + f);
            }
          }
          checked++;
        }
      }
    }
    assertTrue(checked >= 2, checked + " elementwise loops over a reflection");
    // the forward scan updates z where it lies: its elementwise loop writes the carry and nothing else
    List<Fused> forward = bodyScans.get(0).body().stream().filter(i -> i instanceof Fused f
        && f.body().stream().noneMatch(l -> l instanceof LaneSum)).map(Fused.class::cast).toList();
    assertEquals(1, forward.size(), "the forward scan's elementwise loops: " + forward);
    assertEquals(1, forward.get(0).body().stream().filter(l -> l instanceof LaneWrite).count(),
        "writes of the forward scan's update: " + forward.get(0));
  }

  private static List<Region> regions(Fused f) {
    List<Region> out = new ArrayList<>(f.regionsRead());
    f.body().stream().filter(l -> l instanceof LaneWrite).forEach(l -> out.add(((LaneWrite) l).target()));
    return out;
  }

}
