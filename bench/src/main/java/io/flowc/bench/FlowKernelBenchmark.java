package io.flowc.bench;

import io.flowc.bench.baseline.HandWrittenPlanarPot1;
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
 * generated and hand-written, and W4 (normal100, scale-hh*100-loc, 1 draw) generated.
 * Run: {@code java -jar bench/target/benchmarks.jar FlowKernelBenchmark -p examplesDir=examples}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FlowKernelBenchmark {
  @Param({"W1-generated", "W1-handwritten", "W4-generated"})
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
    String model = w1 ? "pot1" : "normal100";
    FlowFormula formula = FlowFormulaParsing.parse(w1 ? "planar*8" : "scale-hh*100-loc");
    draws = w1 ? 100 : 1;
    Path file = Path.of(examplesDir, model + ".flow");
    var checked = FrontEnd.check(new SourceFile(file.toString(), Files.readString(file)));
    kernel = workload.endsWith("handwritten") ? new HandWrittenPlanarPot1(8) : Compilation.loadFlow(checked, formula);
    theta = FlowLayout.ofFlows(formula.flows(), checked.dimension()).initialParameters(w1 ? 1.0 : 0.1, 1);
    Random random = new Random(3);
    eps = new double[draws * checked.dimension()];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = random.nextGaussian();
    }
    gradient = new double[theta.length];
    workspace = new double[kernel.workspaceSize()];
  }

  @Benchmark
  public double lossGradient() {
    return kernel.lossGradient(theta, eps, draws, gradient, workspace) + gradient[0];
  }
}
