package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.SameBits;
import io.flowc.compiler.TestPaths;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.flow.RepeatedFlows;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.KernelSplitter;
import io.flowc.compiler.kernel.Scheduler;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.jit.HiddenClasses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repeated flows lowered as loops (a scan over the repeats) against the same flows unrolled:
 * loss, gradient, z and log q bit for bit for every PyMC3 flow kind that loops, through the
 * bytecode and Java source backends and the kernel interpreter (FlowKernelAgreementTest's
 * checks run on the looped kernels); the loop is really there; W4's class is small.
 */
class RepeatedFlowsTest {
  private static int counter;

  private static FlowKernels kernels(CheckedModel model, String formula, int loopFrom) throws Exception {
    FlowFormula f = FlowFormulaParsing.parse(formula);
    FlowLayout layout = FlowLayout.ofFlows(f.flows(), model.dimension());
    return RepeatedFlows.withLoopFrom(loopFrom, () -> Compilation.flowKernels(model, layout, f.normalized()));
  }

  private static FlowKernel load(FlowKernels k) {
    byte[] bytecode = BytecodeBackend.emit(k, BytecodeBackend.JIT_PACKAGE + "Repeated" + (counter++));
    BackendAgreementTest.verify(bytecode);
    return HiddenClasses.define(bytecode, FlowKernel.class);
  }

  private static boolean loops(Kernel k) {
    return k.body().stream().anyMatch(i -> i instanceof Kernel.Repeat);
  }

  /** Looped and unrolled kernels of one formula: the same loss, gradient and draws, bit for bit. */
  private static void sameAsUnrolled(CheckedModel model, String formula, long seed) throws Exception {
    sameAsUnrolled(model, formula, seed, true, new int[] {1, 5});
  }

  /**
   * As above for {@code draws} per call; {@code parameterLoop}: the prologue has a loop too (the
   * flows have values computed from their parameters alone, as planar's u-hat).
   */
  private static void sameAsUnrolled(CheckedModel model, String formula, long seed, boolean parameterLoop, int[] drawCounts)
      throws Exception {
    FlowKernels looped = kernels(model, formula, 2);
    FlowKernels unrolled = kernels(model, formula, Integer.MAX_VALUE);
    assertTrue(loops(looped.body()) && loops(looped.sample()), formula + ": loops");
    assertEquals(parameterLoop, loops(looped.prologue()), formula + ": a loop in the prologue");
    assertTrue(!loops(unrolled.body()), formula + ": unrolled");
    FlowLayout layout = FlowLayout.ofFlows(FlowFormulaParsing.parse(formula).flows(), model.dimension());
    SameBits.assertSameFlow(load(unrolled), load(looped), layout, drawCounts, seed, model.name() + " " + formula);
  }

  @Test
  void everyLoopingPyMC3FlowKindIsTheUnrolledStackBitForBit() throws Exception {
    CheckedModel pot1 = FlowKernelAgreementTest.example("pot1");
    CheckedModel normal100 = FlowKernelAgreementTest.example("normal100");
    for (String formula : List.of("hh*3", "scale-hh*4-loc", "planar*3", "radial*3-loc", "planar*2-radial*3-hh*2")) {
      sameAsUnrolled(pot1, formula, 11);
    }
    for (String formula : List.of("scale-hh*5-loc", "planar*3", "radial*2")) {
      sameAsUnrolled(normal100, formula, 12);
    }
  }

  /**
   * Neural flows loop an iteration of two flows (a coupling's halves and a MADE's order alternate);
   * a run of odd length leaves its last flow unrolled. 17 draws: the unrolled stack runs its
   * batched body, the looped one draw by draw, and the bits are the same.
   */
  @Test
  void everyNeuralFlowKindIsTheUnrolledStackBitForBit(@TempDir Path dir) throws Exception {
    CheckedModel pot1 = FlowKernelAgreementTest.example("pot1");
    int[] draws = {1, 17};
    for (String formula : List.of("nsf(hidden=8)*4", "realnvp(hidden=8)*5", "scale-nsf(hidden=6,layers=1,bins=4)*4-loc",
        "realnvp(hidden=8,act=tanh)-nsf(hidden=8)*4")) {
      sameAsUnrolled(pot1, formula, 21, false, draws);
    }
    // masked weights are placed in the prologue, once per call
    sameAsUnrolled(pot1, "iaf(hidden=8)*4", 22, true, draws);
    sameAsUnrolled(pot1, "nsf_ar(hidden=8)*4", 22, true, draws);
    sameAsUnrolled(pot1, "sylvester*3", 23, true, draws);
    Path file = dir.resolve("three.flow");
    Files.writeString(file, BatchedNeuralBodyTest.THREE);
    CheckedModel three = TestPaths.checkExample(file);
    for (String formula : List.of("nsf(hidden=8,act=elu)*4", "realnvp(hidden=8)*4", "iaf(hidden=8)*4")) {
      sameAsUnrolled(three, formula, 24, formula.startsWith("iaf"), draws);
    }
  }

  /**
   * By default flows with a network loop only for fits whose steps run draw by draw (few draws): a
   * loop's body runs per draw, where the unrolled stack's batched body reads each weight once for
   * a block of draws. Two iterations of two flows at least. PyMC3's flows on few coordinates
   * likewise stay unrolled in calls of many draws, up to 127 of them.
   */
  @Test
  void networksLoopWhereStepsRunDrawByDraw() throws Exception {
    CheckedModel pot1 = FlowKernelAgreementTest.example("pot1");
    for (String formula : List.of("nsf(hidden=8)*4", "realnvp(hidden=8)*5", "iaf(hidden=8)*4", "nsf_ar(hidden=8)*6")) {
      assertTrue(loops(drawByDraw(true, pot1, formula).body()), formula + " draw by draw");
      assertTrue(!loops(drawByDraw(false, pot1, formula).body()), formula + " in blocks of draws");
    }
    for (String formula : List.of("nsf(hidden=8)*3", "planar*8", "sylvester*4")) {
      assertTrue(!loops(drawByDraw(true, pot1, formula).body()), formula + " stays unrolled");
    }
    // PyMC3's flows on two coordinates are scalar steps, which a batched body runs across draws
    for (String formula : List.of("planar*16", "radial*20", "scale-hh*16-loc")) {
      assertTrue(loops(drawByDraw(true, pot1, formula).body()), formula + " draw by draw");
      assertTrue(!loops(drawByDraw(false, pot1, formula).body()), formula + " in blocks of draws");
    }
    assertTrue(loops(drawByDraw(false, pot1, "planar*128").body()), "planar*128 in blocks of draws");
    assertTrue(loops(drawByDraw(false, pot1, "sylvester*16").body()), "sylvester*16 in blocks of draws");
    // on 100 coordinates a flow is loops over them, left per draw by a batched body too
    CheckedModel normal100 = FlowKernelAgreementTest.example("normal100");
    assertTrue(loops(drawByDraw(false, normal100, "scale-hh*16-loc").body()), "hh*16 on 100 coordinates");
    assertEquals(Scheduler.SCALARIZE_LIMIT, RepeatedFlows.SHORT_VECTOR);
    // what a fit compiles: its kernel's cost says whether its steps may run in blocks of draws
    FlowFormula nsf = FlowFormulaParsing.parse("nsf(hidden=8)*4");
    assertEquals(1, Compilation.loadCountedFlow(pot1, nsf, 1).cost().minimumChunkDraws(), "--nmc 1: a loop, draw by draw");
    assertEquals(128, Compilation.loadCountedFlow(pot1, nsf, 256).cost().minimumChunkDraws(), "--nmc 256: blocks");
  }

  private static FlowKernels drawByDraw(boolean drawByDraw, CheckedModel model, String formula) throws Exception {
    FlowFormula f = FlowFormulaParsing.parse(formula);
    FlowLayout layout = FlowLayout.ofFlows(f.flows(), model.dimension());
    return RepeatedFlows.drawByDraw(drawByDraw, () -> Compilation.flowKernels(model, layout, f.normalized()));
  }

  /** The looped kernels through both backends and the interpreter, and against the per-draw IR. */
  @Test
  void loopedKernelsAgreeAcrossBackends() throws Exception {
    RepeatedFlows.withLoopFrom(2, () -> {
      try {
        FlowKernelAgreementTest.check(FlowKernelAgreementTest.example("kitchen_sink"), "scale-hh*3-planar*2-radial*2-loc", 13, true);
        FlowKernelAgreementTest.check(FlowKernelAgreementTest.example("pot2"), "planar*4", 14, true);
        FlowKernelAgreementTest.check(FlowKernelAgreementTest.example("pot2"), "nsf(hidden=8)*4-realnvp(hidden=8)*4", 15, true, 0.3);
        FlowKernelAgreementTest.check(FlowKernelAgreementTest.example("kitchen_sink"), "iaf(hidden=8)*4-sylvester*2-nsf_ar(hidden=8)*2", 16, true, 0.3);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      return null;
    });
  }

  /**
   * W4's reflection vectors lie in theta in the reverse order of the formula: they are stacked in
   * the order they lie and the loop over the flows runs backwards, so the prologue's loop reads
   * them where they are in the point instead of a copy gathered into the workspace (the values are
   * the unrolled stack's bit for bit: everyLoopingPyMC3FlowKindIsTheUnrolledStackBitForBit).
   */
  @Test
  void householderVectorsAreReadWhereTheyLie() throws Exception {
    CheckedModel model = FlowKernelAgreementTest.example("normal100");
    FlowFormula f = FlowFormulaParsing.parse("scale-hh*100-loc");
    FlowKernels k = Compilation.flowKernels(model, FlowLayout.ofFlows(f.flows(), model.dimension()), f.normalized());
    Kernel.Repeat scan = k.prologue().body().stream().filter(i -> i instanceof Kernel.Repeat)
        .map(Kernel.Repeat.class::cast).findFirst().orElseThrow();
    boolean readsThePoint = scan.body().stream().filter(i -> i instanceof Kernel.Fused)
        .flatMap(i -> ((Kernel.Fused) i).body().stream()).filter(l -> l instanceof Kernel.LaneAssign)
        .flatMap(l -> ((Kernel.LaneAssign) l).args().stream())
        .anyMatch(o -> o instanceof Kernel.At at && at.region().array() == Kernel.Array.Z);
    assertTrue(readsThePoint, "the loop over the reflections reads their vectors in the point");
    long copiedFromThePoint = k.prologue().body().stream().filter(i -> i instanceof Kernel.Fused)
        .flatMap(i -> ((Kernel.Fused) i).body().stream())
        .filter(l -> l instanceof Kernel.LaneWrite w && w.value() instanceof Kernel.At at && at.region().array() == Kernel.Array.Z)
        .count();
    assertTrue(copiedFromThePoint <= 1, copiedFromThePoint + " vectors copied from the point (loc's, at most)");
  }

  /**
   * The loss's forward loop over W4's reflections saves each z entering a reflection for the
   * gradient's loop back; the sampler, which has no gradient, saves none (it wrote 10,000 values a
   * draw that nothing read), and draws the same z and log q (sameAsUnrolled, the agreement tests).
   */
  @Test
  void theSamplerSavesNoCarriesForAGradient() throws Exception {
    CheckedModel model = FlowKernelAgreementTest.example("normal100");
    FlowFormula f = FlowFormulaParsing.parse("scale-hh*100-loc");
    FlowKernels k = Compilation.flowKernels(model, FlowLayout.ofFlows(f.flows(), model.dimension()), f.normalized());
    assertEquals(1, savingCopies(k.body()), "the loss's forward loop saves z");
    assertEquals(0, savingCopies(k.sample()), "the sampler saves nothing");
  }

  /** Copies from a loop's carry into its saved rows before each iteration. */
  private static long savingCopies(Kernel k) {
    return k.body().stream().filter(i -> i instanceof Kernel.Repeat).map(Kernel.Repeat.class::cast)
        .flatMap(r -> r.before().stream()).filter(c -> !c.intoFrame()).count();
  }

  /**
   * A loop whose value the kernel hands on whole is laid out where it goes: W4's prologue writes
   * the stacked reflection vectors and norms into the body's boundary places as it runs, and the
   * epilogue its stacked gradient into grad; before, each copied them after the loop (10,100 and
   * 10,000 values a step). The body's loop back adds its stacked gradient into the accumulators
   * likewise. The same bits (sameAsUnrolled, the agreement tests).
   */
  @Test
  void loopsAreLaidOutWhereTheirValuesGo() throws Exception {
    CheckedModel model = FlowKernelAgreementTest.example("normal100");
    FlowFormula f = FlowFormulaParsing.parse("scale-hh*100-loc");
    FlowKernels k = Compilation.flowKernels(model, FlowLayout.ofFlows(f.flows(), model.dimension()), f.normalized());
    assertTrue(copied(k.prologue(), Kernel.Array.WORK) <= 200, copied(k.prologue(), Kernel.Array.WORK) + " copied in the prologue");
    assertTrue(copied(k.epilogue(), Kernel.Array.GRAD) <= 200, copied(k.epilogue(), Kernel.Array.GRAD) + " copied into grad");
    boolean writesGrad = k.epilogue().body().stream().filter(i -> i instanceof Kernel.Repeat)
        .flatMap(i -> ((Kernel.Repeat) i).body().stream()).filter(i -> i instanceof Kernel.Fused)
        .flatMap(i -> ((Kernel.Fused) i).body().stream())
        .anyMatch(l -> l instanceof Kernel.LaneWrite w && w.target().array() == Kernel.Array.GRAD);
    assertTrue(writesGrad, "the epilogue's loop writes the gradient in place");
    // the body's loop back adds a draw's stacked gradient into the accumulators as it goes, instead
    // of writing it for a loop over all 10,000 after it
    long longest = k.body().body().stream().mapToLong(i -> i instanceof Kernel.Fused fused ? fused.length().constant()
        : i instanceof Kernel.Loop l ? l.length().constant() : 0).max().orElse(0);
    assertTrue(longest <= 100, "a loop of " + longest + " in the body");
  }

  /**
   * A reflection of W4's loop is a method of its own (HotSpot compiles it after a few calls of the
   * kernel, not after hundreds): every loop over the 100 reflections, in every kernel, calls its
   * body; a planar stack on two coordinates, whose body is scalar steps, keeps it inline.
   */
  @Test
  void eachReflectionRunsInAMethodOfItsOwn() throws Exception {
    CheckedModel model = FlowKernelAgreementTest.example("normal100");
    FlowFormula f = FlowFormulaParsing.parse("scale-hh*100-loc");
    FlowKernels k = Compilation.flowKernels(model, FlowLayout.ofFlows(f.flows(), model.dimension()), f.normalized());
    for (Kernel kernel : List.of(k.prologue(), k.body(), k.epilogue(), k.sample())) {
      List<Kernel.Repeat> repeats = splitRepeats(kernel);
      assertTrue(!repeats.isEmpty(), "a loop over the reflections");
      for (Kernel.Repeat rp : repeats) {
        assertTrue(rp.body().stream().allMatch(i -> i instanceof Kernel.Call), "a body of calls: " + rp.body());
      }
    }
    CheckedModel pot1 = FlowKernelAgreementTest.example("pot1");
    FlowKernels planar = kernels(pot1, "planar*16", RepeatedFlows.DEFAULT_LOOP_FROM);
    List<Kernel.Repeat> repeats = splitRepeats(planar.body());
    assertTrue(!repeats.isEmpty(), "planar*16 loops");
    for (Kernel.Repeat rp : repeats) {
      assertTrue(rp.body().stream().noneMatch(i -> i instanceof Kernel.Call), "two coordinates' steps stay inline");
    }
  }

  /** The loops of a kernel as the splitter leaves them for the backends. */
  private static List<Kernel.Repeat> splitRepeats(Kernel kernel) {
    return KernelSplitter.split(kernel).parts().stream().flatMap(List::stream)
        .filter(i -> i instanceof Kernel.Repeat).map(i -> (Kernel.Repeat) i).toList();
  }

  /** Elements a kernel copies at its top level from the workspace into {@code array}. */
  private static long copied(Kernel k, Kernel.Array array) {
    long n = 0;
    for (Kernel.Instr i : k.body()) {
      if (i instanceof Kernel.Move m && m.target().array() == array && m.source() instanceof Kernel.Region r
          && r.array() == Kernel.Array.WORK) {
        n += m.length().constant();
      } else if (i instanceof Kernel.Fused fused) {
        n += fused.length().constant() * fused.body().stream().filter(l -> l instanceof Kernel.LaneWrite w
            && w.target().array() == array && w.value() instanceof Kernel.At at && at.region().array() == Kernel.Array.WORK)
            .count();
      }
    }
    return n;
  }

  /** W4's 100 reflections are one loop by default: its class is a few kilobytes, not a hundred. */
  @Test
  void householderStackOfW4IsALoopByDefault() throws Exception {
    CheckedModel model = FlowKernelAgreementTest.example("normal100");
    FlowFormula f = FlowFormulaParsing.parse("scale-hh*100-loc");
    FlowKernels k = Compilation.flowKernels(model, FlowLayout.ofFlows(f.flows(), model.dimension()), f.normalized());
    assertTrue(loops(k.body()) && loops(k.prologue()) && loops(k.epilogue()), "hh*100 loops");
    byte[] bytecode = BytecodeBackend.emit(k, BytecodeBackend.JIT_PACKAGE + "W4Loop");
    assertTrue(bytecode.length < 20_000, "class of " + bytecode.length + " bytes");
    FlowKernels shortStack = kernels(model, "scale-hh*15-loc", RepeatedFlows.DEFAULT_LOOP_FROM);
    assertTrue(!loops(shortStack.body()), "15 reflections stay unrolled");
  }
}
