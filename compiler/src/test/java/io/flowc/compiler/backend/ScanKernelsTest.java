package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.compiler.ir.ScanBody;
import io.flowc.compiler.ir.Shape;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.KernelSplitter;
import io.flowc.compiler.kernel.LoopFusion;
import io.flowc.compiler.kernel.Scheduler;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SCAN through the scheduler, loop fusion, the splitter and both backends: a function of a scan
 * and its derivative (a reverse scan) agrees bit for bit between the bytecode and Java source
 * classes, the kernel interpreter and the IR evaluator, with the carries scalarized and not, in
 * either direction; a body too large for one method is cut into methods of its own, each under
 * 8000 bytes.
 */
class ScanKernelsTest {

  /** c' = 0.5 tanh(a c + x) + 0.4 c, y = sum(c x), {@code repeats} times over (a larger body for more). */
  private static ScanBody body(int width, int repeats) {
    Graph g = new Graph(true);
    Node c = g.input("c", 0, Shape.vector(width));
    Node x = g.input("x", 1, Shape.vector(width));
    Node a = g.input("a", 2, Shape.SCALAR);
    Node next = c;
    for (int r = 0; r < repeats; r++) {
      Node shifted = g.add(g.mul(a, next), g.mul(g.constant(1 + 0.01 * r), x));
      next = g.add(g.mul(g.constant(0.5), g.apply(Op.TANH, shifted)), g.mul(g.constant(0.4), next));
    }
    Node y = g.sum(g.mul(c, x));
    return new ScanBody(new IrFunction(g, List.of(c, x, a), List.of(
        new IrFunction.Output("c", next), new IrFunction.Output("y", y))), 1, 1);
  }

  /** logp = w . final carry + sum_t cos(y_t) of a scan, with its gradient. */
  private static IrFunction function(int width, int length, boolean reverse, int repeats) {
    Graph g = new Graph(true);
    Node init = g.input("init", 0, Shape.vector(width));
    Node xs = g.input("xs", 1, Shape.vector(width * length));
    Node a = g.input("a", 2, Shape.SCALAR);
    ScanBody body = body(width, repeats);
    Node scan = g.scan(body, length, reverse, true, init, xs, a);
    Node last = g.slice(scan, 0, width);
    Node ys = g.slice(scan, body.yOffset(0, length), length);
    Node logp = g.add(g.sum(g.mul(last, g.sin(last))), g.sum(g.cos(ys)));
    return MatrixKernelsTest.withGradient(g, List.of(init, xs, a), logp);
  }

  @Test
  void scanAndItsDerivativeAgreeEverywhere() throws Exception {
    for (int width : new int[] {1, 3, 20}) {
      for (boolean reverse : new boolean[] {false, true}) {
        IrFunction f = function(width, 7, reverse, 1);
        String what = "scan of width " + width + (reverse ? ", reverse" : "");
        MatrixKernelsTest.assertAllAgree(what, f, Scheduler.SCALARIZE_LIMIT, 3, width == 3);
        MatrixKernelsTest.assertAllAgree(what, f, 0, 4, false);
      }
    }
  }

  @Test
  void aBodyTooLargeForOneMethodGoesIntoMethodsOfItsOwn() throws Exception {
    IrFunction f = function(16, 5, false, 40);
    Kernel kernel = LoopFusion.fuse(Scheduler.schedule(f, "logp",
        f.inputs().stream().map(in -> "grad." + in.name()).toList()));
    KernelSplitter.Split split = KernelSplitter.split(kernel);
    boolean called = split.parts().stream().flatMap(List::stream)
        .anyMatch(i -> i instanceof Kernel.Repeat rp && rp.body().stream().allMatch(b -> b instanceof Kernel.Call));
    assertTrue(called, "the large bodies are cut into calls");
    MatrixKernelsTest.assertAllAgree("a large scan body", f, Scheduler.SCALARIZE_LIMIT, 5, true, 2);
  }
}
