package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.KernelInterpreter;
import io.flowc.compiler.kernel.LoopFusion;
import io.flowc.compiler.kernel.Scheduler;
import io.flowc.compiler.testing.RandomModels;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.jit.HiddenClasses;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The random models of the differentiator's tests through every code path: scheduled with short
 * vectors scalarized (the default) and with every vector a loop, fused and not, run by the
 * kernel interpreter, as bytecode and (for a sample) as compiled Java source. All agree with the
 * IR evaluator bit for bit and with the reference interpreter to 1e-12.
 */
class RandomModelBackendTest {
  static final int MODELS = 300;
  static final int JAVA_SOURCE_EVERY = 15;

  @Test
  void everyPathAgreesOnRandomModels() throws Exception {
    for (long seed = 1; seed <= MODELS; seed++) {
      RandomModels.RandomModel random = RandomModels.generate(seed);
      CheckedModel model = FrontEnd.check(new SourceFile("random" + seed + ".flow", random.text()));
      IrFunction ir = Compilation.valueAndGradient(model);
      List<String> gradients = ir.inputs().stream().map(Compilation::gradientName).toList();
      for (int limit : new int[] {Scheduler.SCALARIZE_LIMIT, 0}) {
        Kernel value = Scheduler.schedule(ir, Compilation.LOGP, List.of(), limit);
        Kernel gradient = Scheduler.schedule(ir, Compilation.LOGP, gradients, limit);
        ModelKernels kernels = new ModelKernels(model.name(), "-",
            LoopFusion.fuse(value), LoopFusion.fuse(gradient));
        String className = "Random" + seed + "_" + limit;
        byte[] bytecode = BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + className);
        BackendAgreementTest.verify(bytecode);
        LogDensity asm = HiddenClasses.defineLogDensity(bytecode);
        LogDensity java = null;
        if (seed % JAVA_SOURCE_EVERY == 0) {
          Map<String, byte[]> compiled = InMemoryJavac.compile(JavaSourceBackend.emit(kernels, "io.flowc.generated", className));
          java = (LogDensity) InMemoryJavac.load(compiled, "io.flowc.generated." + className)
              .getDeclaredConstructor().newInstance();
        }
        Random points = new Random(seed);
        for (int k = 0; k < 3; k++) {
          double[] z = RandomModels.point(points, model.dimension());
          String where = "model " + seed + " (scalarize <= " + limit + ") at point " + k + ":\n" + random.text();
          check(where, z, ir, gradient, kernels.gradient(), asm, java, new Interpreter(model));
        }
      }
    }
  }

  private static void check(String where, double[] z, IrFunction ir, Kernel unfused, Kernel fused, LogDensity asm,
      LogDensity java, Interpreter interpreter) {
    int n = z.length;
    Map<String, double[]> evaluated = IrEvaluator.evaluate(ir, z);
    double expected = evaluated.get(Compilation.LOGP)[0];
    double[] expectedGradient = new double[n];
    for (Node input : ir.inputs()) {
      double[] g = evaluated.get(Compilation.gradientName(input));
      System.arraycopy(g, 0, expectedGradient, ir.offsetOf(input), g.length);
    }
    double[] g1 = new double[n];
    double[] g2 = new double[n];
    double[] g3 = new double[n];
    assertBits(expected, new KernelInterpreter(unfused).run(z, g1), where + ": unfused kernel");
    assertBits(expected, new KernelInterpreter(fused).run(z, g2), where + ": fused kernel");
    assertBits(expected, asm.logDensityGradient(z, g3, new double[asm.workspaceSize()]), where + ": bytecode");
    assertBits(expected, asm.logDensity(z, new double[asm.workspaceSize()]), where + ": bytecode, value only");
    for (int i = 0; i < n; i++) {
      assertBits(expectedGradient[i], g1[i], where + ": unfused gradient " + i);
      assertBits(expectedGradient[i], g2[i], where + ": fused gradient " + i);
      assertBits(expectedGradient[i], g3[i], where + ": bytecode gradient " + i);
    }
    if (java != null) {
      double[] g4 = new double[n];
      assertBits(expected, java.logDensityGradient(z, g4, new double[java.workspaceSize()]), where + ": Java source");
      for (int i = 0; i < n; i++) {
        assertBits(expectedGradient[i], g4[i], where + ": Java source gradient " + i);
      }
    }
    double reference = interpreter.logp(z);
    assertEquals(reference, expected, 1e-12 * Math.max(1, Math.abs(reference)), where + ": vs the interpreter");
  }

  private static void assertBits(double expected, double actual, String what) {
    assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
        () -> what + ": expected " + expected + " but was " + actual);
  }
}
