package io.flowc.bench;

import io.flowc.bench.baseline.HandWrittenNsfPot1;
import io.flowc.bench.baseline.HandWrittenPlanarPot1;
import io.flowc.bench.baseline.HandWrittenPlanarPot1BatchMajor;
import io.flowc.bench.baseline.HandWrittenPlanarPot1Vector;
import io.flowc.compiler.backend.BytecodeBackend;
import io.flowc.compiler.kernel.BatchMajor;
import io.flowc.runtime.jit.HiddenClasses;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One loss-and-gradient evaluation of a workload's ELBO kernel: W1 (pot1, planar*8, 100 draws)
 * generated and hand-written, W2 (pot4, planar*10, 10 draws) and W4 (normal100,
 * scale-hh*100-loc, 1 draw) generated, W7 (pot1, nsf(hidden=64)*3: 8 bins on [-5, 5], 2 hidden
 * layers, 256 draws) generated and hand-written (four draws per trip), and {@code nsf*8} on pot1 at one draw
 * as a fit of one draw a step compiles it ({@code NSF8-looped}: two flows a loop iteration) and
 * unrolled ({@code NSF8-unrolled}, docs/performance.md "Neural flows as loops"). {@code -perdraw}: the generated kernel without its
 * batch-major body; {@code -scalar}: the generated batch-major body with scalar products, as in a JVM
 * without {@code jdk.incubator.vector} ({@code -generated} uses the module when the JVM has it: run with
 * {@code --add-modules jdk.incubator.vector}, docs/performance.md "SIMD products"); {@code -batchmajor}: the
 * hand-written kernel with the draws inner; {@code -vector}: the hand-written kernels with {@code
 * jdk.incubator.vector} (blocks of 128 draws; they agree with the others to rounding), {@code
 * -vector-functions} with the Vector API's tanh and log; {@code -vectorloops}: the generated class with
 * its elementwise loops in vectors (docs/performance.md, "Vector loops"; needs the module), without the
 * switch from the scalar class that a fit makes once it is compiled.
 * Run: {@code java -jar bench/target/benchmarks.jar FlowKernelBenchmark -p examplesDir=examples
 * -jvmArgsAppend "--add-modules jdk.incubator.vector"}; {@link KernelCpuTimes} times several of them
 * side by side in CPU time, for a machine shared with other work.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FlowKernelBenchmark {
  @Param({"W1-generated", "W1-generated-perdraw", "W1-handwritten", "W1-handwritten-batchmajor",
      "W1-handwritten-vector", "W1-handwritten-vector-functions", "W2-generated",
      "W2-generated-perdraw", "W4-generated", "W4-generated-perdraw", "W4-generated-vectorloops", "W7-generated", "W7-generated-scalar",
      "W7-generated-perdraw", "W7-handwritten", "W7-handwritten-vector", "NSF8-looped", "NSF8-unrolled"})
  public String workload;

  @Param({"examples"})
  public String examplesDir;

  private FlowKernel kernel;
  private double[] theta;
  private double[] eps;
  private int draws;
  private double[] gradient;
  private double[] workspace;

  @Setup
  public void setUp() throws IOException, CompileException {
    boolean w1 = workload.startsWith("W1");
    boolean w2 = workload.startsWith("W2");
    boolean w7 = workload.startsWith("W7");
    boolean nsf8 = workload.startsWith("NSF8");
    String model = w1 || w7 || nsf8 ? "pot1" : w2 ? "pot4" : "normal100";
    FlowFormula formula = FlowFormulaParsing.parse(w1 ? "planar*8" : w2 ? "planar*10"
        : w7 ? "nsf(bins=8,bound=5,hidden=64,layers=2)*3" : nsf8 ? "nsf*8" : "scale-hh*100-loc");
    draws = w1 ? 100 : w2 ? 10 : w7 ? 256 : 1;
    Path file = Path.of(examplesDir, model + ".flow");
    var checked = FrontEnd.check(new SourceFile(file.toString(), Files.readString(file)));
    if (workload.equals("W7-handwritten")) {
      kernel = new HandWrittenNsfPot1(3, 64, 2, 8, 5.0, 4);
    } else if (workload.equals("W7-handwritten-vector")) {
      kernel = new HandWrittenNsfPot1(3, 64, 2, 8, 5.0, BatchMajor.BLOCK_SIZE, true);
    } else if (workload.startsWith("W1-handwritten-vector")) {
      kernel = new HandWrittenPlanarPot1Vector(8, workload.endsWith("functions"));
    } else if (workload.endsWith("handwritten")) {
      kernel = new HandWrittenPlanarPot1(8);
    } else if (workload.endsWith("handwritten-batchmajor")) {
      kernel = new HandWrittenPlanarPot1BatchMajor(8);
    } else if (workload.endsWith("scalar")) {
      FlowLayout layout = FlowLayout.ofFlows(formula.flows(), checked.dimension());
      kernel = HiddenClasses.define(BytecodeBackend.emit(
          Compilation.flowKernels(checked, layout, formula.normalized(), BatchMajor.DEFAULT),
          BytecodeBackend.JIT_PACKAGE + "Scalar" + model, false), FlowKernel.class);
    } else if (workload.endsWith("vectorloops")) {
      FlowLayout layout = FlowLayout.ofFlows(formula.flows(), checked.dimension());
      kernel = HiddenClasses.define(BytecodeBackend.emit(
          Compilation.flowKernels(checked, layout, formula.normalized(), BatchMajor.DEFAULT),
          BytecodeBackend.JIT_PACKAGE + "VectorLoops" + model, true, true), FlowKernel.class);
    } else if (workload.endsWith("perdraw")) {
      FlowLayout layout = FlowLayout.ofFlows(formula.flows(), checked.dimension());
      kernel = HiddenClasses.define(BytecodeBackend.emit(
          Compilation.flowKernels(checked, layout, formula.normalized(), BatchMajor.Policy.NONE),
          BytecodeBackend.JIT_PACKAGE + "PerDraw" + model), FlowKernel.class);
    } else if (workload.endsWith("looped")) {
      kernel = Compilation.loadCountedFlow(checked, formula, draws).kernel();
    } else {
      kernel = Compilation.loadFlow(checked, formula);
    }
    theta = FlowLayout.ofFlows(formula.flows(), checked.dimension()).initialParameters(w4(model) ? 0.1 : 1.0, 1);
    Random random = new Random(3);
    eps = new double[draws * checked.dimension()];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = random.nextGaussian();
    }
    gradient = new double[theta.length];
    workspace = new double[kernel.workspaceSize()];
  }

  private static boolean w4(String model) {
    return model.equals("normal100");
  }

  @Benchmark
  public double lossGradient() {
    return kernel.lossGradient(theta, eps, draws, gradient, workspace) + gradient[0];
  }
}
