package io.flowc.compiler.backend;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.List;
import java.util.Random;

/**
 * Run in a JVM of its own by {@link GeneratedCodeRuntimeTest}: compiles three models, calls them
 * until hot, then prints {@code allocated BYTES MODEL} for 40000 further calls.
 */
public final class AllocationProbe {
  private AllocationProbe() {}

  public static void main(String[] args) throws Exception {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    List<String> texts = List.of(Files.readString(TestPaths.example("pot1")),
        Files.readString(TestPaths.example("kitchen_sink")), BackendAgreementTest.LARGE);
    for (String text : texts) {
      LogDensity density = Compilation.load(FrontEnd.check(new SourceFile("m.flow", text)));
      int n = density.dimension();
      Random random = new Random(3);
      double[][] points = new double[16][n];
      for (double[] p : points) {
        for (int i = 0; i < n; i++) {
          p[i] = random.nextGaussian();
        }
      }
      double[] gradient = new double[n];
      double[] work = new double[density.workspaceSize()];
      double sink = 0;
      long allocated = Long.MAX_VALUE;
      for (int round = 0; round < 40 && allocated >= 4096; round++) {
        long before = threads.getThreadAllocatedBytes(thread);
        for (int k = 0; k < 20_000; k++) {
          sink += density.logDensityGradient(points[k & 15], gradient, work) + density.logDensity(points[k & 15], work);
        }
        allocated = threads.getThreadAllocatedBytes(thread) - before;
      }
      System.out.println("allocated " + allocated + " " + text.lines().findFirst().orElse("") + " " + (sink == 0.5));
    }
  }
}
