package io.flowc.bench;

import io.flowc.bench.baseline.HandWritten;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
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
 * Gradient of log p: generated code (bytecode, hidden class) against the hand-written baseline,
 * over a fixed cycle of points so that branches are not trivially predicted.
 * Run: {@code java -jar bench/target/benchmarks.jar GradientBenchmark -p examplesDir=examples}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GradientBenchmark {
  @Param({"pot1", "pot2", "pot3", "pot4", "normal100"})
  public String model;

  @Param({"generated", "handwritten"})
  public String implementation;

  @Param({"examples"})
  public String examplesDir;

  private static final int POINTS = 64;

  private LogDensity density;
  private double[][] points;
  private double[] gradient;
  private double[] workspace;
  private int next;

  @Setup
  public void setUp() throws IOException, CompileException {
    Path file = Path.of(examplesDir, model + ".flow");
    density = implementation.equals("generated")
        ? Compilation.load(FrontEnd.check(new SourceFile(file.toString(), Files.readString(file))))
        : HandWritten.of(model);
    Random random = new Random(1);
    points = new double[POINTS][density.dimension()];
    for (double[] p : points) {
      for (int i = 0; i < p.length; i++) {
        p[i] = 2 * random.nextGaussian();
      }
    }
    gradient = new double[density.dimension()];
    workspace = new double[density.workspaceSize()];
  }

  @Benchmark
  public double logDensityGradient() {
    double[] z = points[next];
    next = (next + 1) & (POINTS - 1);
    return density.logDensityGradient(z, gradient, workspace) + gradient[0];
  }
}
