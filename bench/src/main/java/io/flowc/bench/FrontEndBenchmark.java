package io.flowc.bench;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.compiler.interp.Interpreter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The front end's cost (parse and check of an example, the start of workload W6) and the
 * reference interpreter's cost per evaluation, the figure every compiled backend must beat.
 * Run: {@code java -jar bench/target/benchmarks.jar FrontEndBenchmark -p examplesDir=examples}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrontEndBenchmark {
  @Param({"pot1", "pot4", "normal100"})
  public String model;

  @Param({"examples"})
  public String examplesDir;

  private SourceFile source;
  private Interpreter interpreter;
  private double[] z;

  @Setup
  public void setUp() throws IOException, CompileException {
    Path file = Path.of(examplesDir, model + ".flow");
    source = new SourceFile(file.toString(), Files.readString(file));
    CheckedModel checked = FrontEnd.check(source);
    interpreter = new Interpreter(checked);
    z = new double[checked.dimension()];
    for (int i = 0; i < z.length; i++) {
      z[i] = 0.3 + 0.01 * i;
    }
  }

  @Benchmark
  public FrontEnd.Analysis parseAndCheck() {
    return FrontEnd.analyze(source);
  }

  @Benchmark
  public double interpretPotential() {
    return interpreter.potential(z);
  }
}
