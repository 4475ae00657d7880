package io.flowc.bench;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
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
 * Source text to a loaded, callable class (parse, check, lower, simplify, differentiate,
 * schedule, emit bytecode, define a hidden class) in a warm JVM. {@link ColdCompile} gives the
 * first-compile figure of a fresh JVM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CompileBenchmark {
  @Param({"pot1", "pot2", "pot3", "pot4"})
  public String model;

  @Param({"examples"})
  public String examplesDir;

  private SourceFile source;

  @Setup
  public void setUp() throws IOException {
    Path file = Path.of(examplesDir, model + ".flow");
    source = new SourceFile(file.toString(), Files.readString(file));
  }

  @Benchmark
  public LogDensity sourceToLoadedClass() throws CompileException {
    return Compilation.load(FrontEnd.check(source));
  }
}
