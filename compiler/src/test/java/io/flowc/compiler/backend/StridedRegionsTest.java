package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.compiler.ir.Op;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.Kernel.Array;
import io.flowc.compiler.kernel.Kernel.Assign;
import io.flowc.compiler.kernel.Kernel.At;
import io.flowc.compiler.kernel.Kernel.Element;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.Gather;
import io.flowc.compiler.kernel.Kernel.Lane;
import io.flowc.compiler.kernel.Kernel.LaneAssign;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.LaneWrite;
import io.flowc.compiler.kernel.Kernel.Loop;
import io.flowc.compiler.kernel.Kernel.Move;
import io.flowc.compiler.kernel.Kernel.Reduce;
import io.flowc.compiler.kernel.Kernel.Region;
import io.flowc.compiler.kernel.Kernel.Return;
import io.flowc.compiler.kernel.Kernel.Scatter;
import io.flowc.compiler.kernel.Kernel.Splat;
import io.flowc.compiler.kernel.Kernel.Temp;
import io.flowc.compiler.kernel.KernelInterpreter;
import io.flowc.compiler.kernel.Lin;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.jit.HiddenClasses;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Regions whose elements lie {@code stride} apart (one draw's vector in a batch-major body) in
 * every instruction that addresses a region: the kernel interpreter, bytecode and Java source
 * agree bit for bit on every element written and on the value returned.
 */
class StridedRegionsTest {
  private static final int STRIDE = 5;
  private static final int LENGTH = 20;
  private static final int SIZE = 400;

  private static Region strided(int offset) {
    return new Region(Array.WORK, Lin.of(offset), STRIDE);
  }

  private static Kernel kernel() {
    Temp sum = new Temp(0);
    Temp lse = new Temp(1);
    Temp fusedSum = new Temp(2);
    Temp total = new Temp(3);
    Temp all = new Temp(4);
    int[] none = new int[0];
    return new Kernel(0, SIZE, 0, 5, List.of(
        // w[1 + 5i] * 2 into a contiguous region, and back into a strided one
        new Loop(new Region(Array.WORK, 300), Lin.of(LENGTH), Op.MUL, none,
            List.of(strided(1), new Splat(new Kernel.Const(2)))),
        new Move(strided(2), Lin.of(LENGTH), new Region(Array.WORK, 300)),
        new Reduce(sum, Op.SUM, strided(3), Lin.of(LENGTH), true),
        new Reduce(lse, Op.LOGSUMEXP, strided(4), Lin.of(LENGTH), false),
        // indices 0..3 (data integers) at w[320..]: gather from and scatter into strided regions
        new Gather(new Region(Array.WORK, 340), Lin.of(4), strided(1), LENGTH, new Region(Array.WORK, 320), 1),
        new Scatter(strided(103), 6, new Region(Array.WORK, 340), new Region(Array.WORK, 320), Lin.of(4), 1),
        new Fused(Lin.of(LENGTH), List.of(
            new LaneAssign(new Lane(0), Op.EXP, none, List.of(new At(strided(0)))),
            new LaneWrite(strided(101), new Lane(0)),
            new LaneSum(fusedSum, new Lane(0), true))),
        new Assign(total, Op.ADD, none, List.of(sum, lse)),
        new Assign(all, Op.ADD, none, List.of(total, fusedSum)),
        new Kernel.Store(new Element(Array.WORK, 399), all),
        new Return(all)));
  }

  private static double[] workspace() {
    Random random = new Random(11);
    double[] w = new double[SIZE];
    for (int i = 0; i < 300; i++) {
      w[i] = random.nextGaussian();
    }
    for (int i = 0; i < 4; i++) {
      w[320 + i] = (i * 3) % 4;
    }
    return w;
  }

  @Test
  void everyBackendReadsAndWritesAcrossTheStride() throws Exception {
    Kernel k = kernel();
    double[] expected = workspace();
    double value = new KernelInterpreter(k).run(new double[0], new double[0], expected, null, 0);
    ModelKernels kernels = new ModelKernels("strided", "", k, k);
    LogDensity asm = HiddenClasses.defineLogDensity(BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + "Strided"));
    LogDensity java = (LogDensity) InMemoryJavac.load(
        InMemoryJavac.compile(JavaSourceBackend.emit(kernels, "io.flowc.generated", "Strided")), "io.flowc.generated.Strided")
        .getDeclaredConstructor().newInstance();
    for (LogDensity d : List.of(asm, java)) {
      double[] w = workspace();
      assertEquals(Double.doubleToRawLongBits(value), Double.doubleToRawLongBits(d.logDensity(new double[0], w)), d + ": value");
      assertEquals(Arrays.toString(expected), Arrays.toString(w), d + ": workspace");
    }
  }
}
