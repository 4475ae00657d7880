package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.flow.ElboLowering;
import io.flowc.compiler.flow.ElboSplit;
import io.flowc.compiler.ir.Differentiator;
import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Graphs;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.IrVerifier;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.compiler.ir.Shape;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.jit.HiddenClasses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A flow-like per-draw function with matrix parameters through the ELBO split and its kernels:
 * x = eps[2] -> h = tanh(W1 x + c1) -> z = (softplus(a) W2) h + c2 + x. The boundary values
 * include matrices (W1 itself and softplus(a) W2, computed once in the prologue), their per-draw
 * gradients are outer products summed over the draws, and the epilogue pushes them back to the
 * parameters: both backends agree bit for bit with the kernels interpreted, and with the
 * per-draw IR's gradient averaged over the draws to 1e-12.
 */
class MatrixFlowKernelsTest {
  private static final int D = 2;

  /** The per-draw loss, z and log q, inputs W1, c1, W2, c2, a, then eps. */
  static IrFunction perDraw(int hidden) {
    Graph g = new Graph(true);
    List<Node> in = new ArrayList<>();
    in.add(g.input("w1", 0, Shape.matrix(hidden, D)));
    in.add(g.input("c1", 1, Shape.vector(hidden)));
    in.add(g.input("w2", 2, Shape.matrix(D, hidden)));
    in.add(g.input("c2", 3, Shape.vector(D)));
    in.add(g.input("a", 4, Shape.SCALAR));
    Node eps = g.input(ElboLowering.EPS, 5, Shape.vector(D));
    in.add(eps);
    Node h = g.apply(Op.TANH, g.add(g.matvec(in.get(0), eps), in.get(1)));
    Node w2 = g.mul(in.get(2), g.apply(Op.SOFTPLUS, in.get(4)));
    Node z = g.add(g.add(g.matvec(w2, h), in.get(3)), eps);
    // not a real flow's density, but every kind of dependence a flow has: on eps, on theta alone, on both
    Node logq = g.sub(g.mul(g.constant(-0.5), g.sum(g.square(eps))), g.sum(g.apply(Op.LOG1P, g.square(h))));
    Node logp = g.mul(g.constant(-0.5), g.sum(g.square(g.sub(z, g.constant(1)))));
    Node loss = g.sub(logq, logp);
    IrFunction f = new IrFunction(g, in, List.of(new IrFunction.Output(ElboLowering.LOSS, loss),
        new IrFunction.Output(ElboLowering.Z, z), new IrFunction.Output(ElboLowering.LOGQ, logq)));
    return IrVerifier.verify(Graphs.rebuild(IrVerifier.verify(f), new Graph(true)));
  }

  /** The per-draw function with the loss's gradient with respect to theta (outputs grad.NAME). */
  static IrFunction withGradient(IrFunction value, int parameterCount) {
    Graph g = value.graph();
    List<Node> theta = value.inputs().subList(0, parameterCount);
    List<Node> gradient = Differentiator.gradient(g, value.output(ElboLowering.LOSS), theta);
    List<IrFunction.Output> outputs = new ArrayList<>(value.outputs());
    for (int k = 0; k < parameterCount; k++) {
      outputs.add(new IrFunction.Output(Compilation.gradientName(theta.get(k)), gradient.get(k)));
    }
    return IrVerifier.verify(value.withOutputs(outputs));
  }

  @Test
  void matrixBoundaryValuesAndTheirGradientsGoThroughTheSplit() throws Exception {
    for (int hidden : new int[] {3, 24}) {
      check(hidden);
    }
  }

  private static void check(int hidden) throws Exception {
    IrFunction value = perDraw(hidden);
    int parameterCount = 5;
    ElboSplit.Parts parts = ElboSplit.split(value, parameterCount);
    List<Shape> boundaryShapes = parts.body().inputs().subList(0, parts.boundaryCount()).stream().map(Node::shape).toList();
    assertTrue(boundaryShapes.contains(Shape.matrix(hidden, D)), "W1 crosses the boundary: " + boundaryShapes);
    assertTrue(boundaryShapes.contains(Shape.matrix(D, hidden)), "softplus(a) W2 crosses the boundary: " + boundaryShapes);
    int theta = value.inputs().subList(0, parameterCount).stream().mapToInt(n -> n.shape().size()).sum();
    FlowKernels kernels = Compilation.flowKernels("layers", "layers", D, theta, parts, 0, null);
    String where = "hidden " + hidden;
    String name = "MatrixFlow" + hidden;
    byte[] bytecode = BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + name);
    BackendAgreementTest.verify(bytecode);
    BackendAgreementTest.assertMethodsBelowHugeLimit(where + " (bytecode)", bytecode, "lossGradient");
    FlowKernel asm = HiddenClasses.define(bytecode, FlowKernel.class);
    Map<String, byte[]> compiled = InMemoryJavac.compile(JavaSourceBackend.emit(kernels, "io.flowc.generated", name));
    FlowKernel java = (FlowKernel) InMemoryJavac.load(compiled, "io.flowc.generated." + name).getDeclaredConstructor().newInstance();
    IrFunction elbo = withGradient(value, parameterCount);

    SplittableRandom random = new SplittableRandom(hidden);
    for (int draws : new int[] {1, 4}) {
      double[] th = new double[theta];
      for (int i = 0; i < th.length; i++) {
        th[i] = random.nextDouble() - 0.5;
      }
      double[] eps = new double[draws * D];
      for (int i = 0; i < eps.length; i++) {
        eps[i] = 2 * random.nextDouble() - 1;
      }
      String at = where + ", " + draws + " draws";
      double[] gAsm = new double[theta];
      double[] gJava = new double[theta];
      double[] gRef = new double[theta];
      double loss = asm.lossGradient(th, eps, draws, gAsm, new double[asm.workspaceSize()]);
      double reference = FlowKernelAgreementTest.referenceLossGradient(kernels, th, eps, draws, gRef, asm.workspaceSize());
      double lossJava = java.lossGradient(th, eps, draws, gJava, new double[java.workspaceSize()]);
      assertEquals(Double.doubleToLongBits(reference), Double.doubleToLongBits(loss), at + ": loss vs kernel interpreter");
      assertEquals(Double.doubleToLongBits(loss), Double.doubleToLongBits(lossJava), at + ": loss, Java");
      for (int i = 0; i < theta; i++) {
        assertEquals(Double.doubleToLongBits(gRef[i]), Double.doubleToLongBits(gAsm[i]), at + ": gradient " + i);
        assertEquals(Double.doubleToLongBits(gAsm[i]), Double.doubleToLongBits(gJava[i]), at + ": Java gradient " + i);
      }
      double expectedLoss = 0;
      double[] expected = new double[theta];
      for (int s = 0; s < draws; s++) {
        double[] input = Arrays.copyOf(th, theta + D);
        System.arraycopy(eps, s * D, input, theta, D);
        Map<String, double[]> r = IrEvaluator.evaluate(elbo, input);
        expectedLoss += r.get(ElboLowering.LOSS)[0] / draws;
        for (Node p : elbo.inputs().subList(0, parameterCount)) {
          double[] g = r.get(Compilation.gradientName(p));
          for (int i = 0; i < g.length; i++) {
            expected[elbo.offsetOf(p) + i] += g[i] / draws;
          }
        }
      }
      assertEquals(expectedLoss, loss, 1e-12 * Math.max(1, Math.abs(expectedLoss)), at + ": loss vs IR");
      for (int i = 0; i < theta; i++) {
        assertEquals(expected[i], gAsm[i], 1e-12 * Math.max(1, Math.abs(expected[i])), at + ": gradient " + i + " vs IR");
      }
      FlowKernelAgreementTest.checkSampling(kernels, asm, java, elbo, th, eps, draws, at);
    }
  }
}
