package io.flowc.bench;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FrontEnd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Compile time in a cold JVM: the first model pays for class loading and the interpreter; the
 * rest show how quickly the compiler warms up.
 * Run: {@code java -cp bench/target/benchmarks.jar io.flowc.bench.ColdCompile examples pot1 pot2 pot3 pot4}.
 */
public final class ColdCompile {
  private ColdCompile() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "examples");
    for (int i = 1; i < args.length; i++) {
      Path file = dir.resolve(args[i] + ".flow");
      String text = Files.readString(file);
      long start = System.nanoTime();
      Compilation.load(FrontEnd.check(new SourceFile(file.toString(), text)));
      System.out.printf(Locale.ROOT, "%-10s %8.2f ms%n", args[i], (System.nanoTime() - start) / 1e6);
    }
  }
}
