package io.flowc.compiler.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.backend.BytecodeBackend;
import io.flowc.compiler.backend.CodeSizes;
import io.flowc.compiler.backend.ModelKernels;
import io.flowc.compiler.ir.Differentiator;
import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The splitter's size estimates of the instructions of matrices and neural flows are not below
 * the bytecode they become, so that methods made of them stay under HotSpot's 8000 bytes: for a
 * kernel of each (value and gradient), the estimates of its instructions add up to at least the
 * method the bytecode backend writes.
 */
class MatrixInstructionSizeTest {
  private static int classes;

  private static void check(String what, BiFunction<Graph, Node[], Node> build, Shape... shapes) {
    Graph g = new Graph(true);
    List<Node> inputs = new ArrayList<>();
    for (Shape s : shapes) {
      inputs.add(g.input("x" + inputs.size(), inputs.size(), s));
    }
    Node y = build.apply(g, inputs.toArray(Node[]::new));
    Node value = y.shape().isScalar() ? y : g.sum(y);
    List<Node> gradient = Differentiator.gradient(g, value, inputs);
    List<IrFunction.Output> outputs = new ArrayList<>();
    outputs.add(new IrFunction.Output("v", value));
    List<String> names = new ArrayList<>();
    for (int k = 0; k < inputs.size(); k++) {
      outputs.add(new IrFunction.Output("d" + k, gradient.get(k)));
      names.add("d" + k);
    }
    IrFunction f = new IrFunction(g, inputs, outputs);
    Kernel valueKernel = Scheduler.schedule(f, "v", List.of());
    Kernel gradientKernel = Scheduler.schedule(f, "v", names);
    byte[] bytecode = BytecodeBackend.emit(new ModelKernels("sizes", "0", valueKernel, gradientKernel),
        BytecodeBackend.JIT_PACKAGE + "Sizes" + classes++);
    Map<String, Integer> sizes = CodeSizes.of(bytecode);
    for (Kernel k : List.of(valueKernel, gradientKernel)) {
      KernelSplitter.Split split = KernelSplitter.split(k);
      String prefix = k == valueKernel ? "value" : "gradient";
      boolean runTimeSizes = KernelSplitter.readsRunTimeSizes(k);
      for (int p = 0; p < split.parts().size(); p++) {
        int estimate = split.parts().get(p).stream().mapToInt(i -> KernelSplitter.estimate(i, runTimeSizes)).sum();
        int actual = sizes.get(prefix + "Part" + p);
        assertTrue(estimate >= actual, what + " " + prefix + " part " + p + ": estimated " + estimate + " bytes, "
            + actual + " written");
      }
    }
  }

  @Test
  void estimatesCoverTheBytecode() {
    Shape w = Shape.matrix(23, 19);
    check("matvec", (g, a) -> g.matvec(a[0], a[1]), w, Shape.vector(19));
    check("matvec of 3 rows", (g, a) -> g.matvec(a[0], a[1]), Shape.matrix(3, 40), Shape.vector(40));
    check("matvecT", (g, a) -> g.matvecT(a[0], a[1]), w, Shape.vector(23));
    check("outer", (g, a) -> g.outer(a[0], a[1]), Shape.vector(23), Shape.vector(19));
    check("place and take", (g, a) -> g.take(g.place(a[0], 20, 20, new int[] {1, 5, 100, 200, 201, 202, 203, 204,
        205, 206, 207, 208, 209, 210, 211, 212, 213, 399}), new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
        15, 16, 17, 18, 19, 100, 399}), Shape.vector(18));
    check("cumsum", (g, a) -> g.revcumsum(g.cumsum(a[0])), Shape.vector(40));
    check("search, pick and put", (g, a) -> g.mul(a[1], g.pick(g.exp(a[0]), g.search(g.cumsum(a[0]), a[1]))),
        Shape.vector(30), Shape.SCALAR);
  }
}
