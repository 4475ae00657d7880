package io.flowc.compiler.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.ir.Op;
import io.flowc.compiler.kernel.Kernel.Array;
import io.flowc.compiler.kernel.Kernel.Assign;
import io.flowc.compiler.kernel.Kernel.Const;
import io.flowc.compiler.kernel.Kernel.Element;
import io.flowc.compiler.kernel.Kernel.Return;
import io.flowc.compiler.kernel.Kernel.Store;
import io.flowc.compiler.kernel.Kernel.Temp;
import io.flowc.runtime.flow.DrawBlocks;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sum over draws of a batched body: draw order, from the accumulator as it stands. */
class BatchMajorTest {
  private static final int ACCUMULATOR = 0;

  /** Per draw: {@code w[0] = w[0] + eps[0] * 1}, as the scheduler adds a draw's loss into its accumulator. */
  private static Kernel body() {
    Temp product = new Temp(0);
    Temp sum = new Temp(1);
    Element accumulator = new Element(Array.WORK, ACCUMULATOR);
    return new Kernel(1, 1, 1, 2, List.of(
        new Assign(product, Op.MUL, new int[0], List.of(new Element(Array.EPS, 0), new Const(1))),
        new Assign(sum, Op.ADD, new int[0], List.of(accumulator, product)),
        new Store(accumulator, sum),
        new Return(new Const(0))));
  }

  private static double perDraw(double[] eps) {
    double[] w = new double[1];
    KernelInterpreter interpreter = new KernelInterpreter(body());
    for (int s = 0; s < eps.length; s++) {
      interpreter.run(null, null, w, eps, s);
    }
    return w[ACCUMULATOR];
  }

  private static double batched(double[] eps, int blockSize) {
    BatchedBody b = BatchMajor.batch(body(), 1, ACCUMULATOR, ACCUMULATOR + 1, new BatchMajor.Policy(blockSize, 1))
        .orElseThrow();
    double[] w = new double[b.workspaceSize()];
    for (int first = 0; first < eps.length; first += blockSize) {
      int n = Math.min(blockSize, eps.length - first);
      w[b.countSlot()] = n;
      DrawBlocks.transpose(eps, first, n, 1, w, b.epsRows() + 1, b.rowStride());
      for (BatchedBody.Segment segment : b.segments()) {
        assertTrue(segment.perBlock(), "a scalar body runs once per block");
        new KernelInterpreter(segment.kernel()).run(null, null, w, null, 0);
      }
    }
    return w[ACCUMULATOR];
  }

  @Test
  void drawsAreAddedInOrderAcrossBlocks() {
    // small values are lost next to -1e16 or not, depending on the order
    double[] eps = {0.25, 3, 3, -1, 3, 0.25, -1e16, 1e16, 3};
    double expected = perDraw(eps);
    for (int block : new int[] {1, 2, 3, 4, 9, 16}) {
      assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(batched(eps, block)), "block " + block);
    }
    // the same numbers summed block by block and then added, or in reverse, would differ
    for (int block : new int[] {2, 3, 4}) {
      double blockwise = 0;
      for (int first = 0; first < eps.length; first += block) {
        double part = 0;
        for (int s = first; s < Math.min(eps.length, first + block); s++) {
          part += eps[s];
        }
        blockwise += part;
      }
      assertNotEquals(expected, blockwise, "block " + block);
    }
    double reversed = 0;
    for (int s = eps.length - 1; s >= 0; s--) {
      reversed += eps[s];
    }
    assertEquals(11.0, expected);
    assertNotEquals(expected, reversed);
  }

  /** An accumulator starts at +0.0 and 0.0 + (-0.0) is +0.0: the batched sum keeps that. */
  @Test
  void negativeZeroDrawsLeavePositiveZero() {
    double[] eps = {-0.0, -0.0, -0.0};
    assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(perDraw(eps)));
    assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(batched(eps, 2)));
  }
}
