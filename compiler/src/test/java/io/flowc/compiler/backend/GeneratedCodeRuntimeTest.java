package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Generated code keeps no state (threads with their own workspaces agree) and allocates nothing. */
class GeneratedCodeRuntimeTest {

  private static LogDensity load(String text) throws Exception {
    return Compilation.load(FrontEnd.check(new SourceFile("m.flow", text)));
  }

  private static double[][] points(int count, int dimension) {
    Random random = new Random(3);
    double[][] points = new double[count][dimension];
    for (double[] p : points) {
      for (int i = 0; i < dimension; i++) {
        p[i] = random.nextGaussian();
      }
    }
    return points;
  }

  @Test
  void threadsWithTheirOwnWorkspacesGetIdenticalResults() throws Exception {
    for (String text : List.of(Files.readString(TestPaths.example("kitchen_sink")), BackendAgreementTest.LARGE)) {
      LogDensity density = load(text);
      int n = density.dimension();
      double[][] points = points(50, n);
      double[][] expected = new double[points.length][n + 1];
      for (int k = 0; k < points.length; k++) {
        expected[k][n] = density.logDensityGradient(points[k], expected[k], new double[density.workspaceSize()]);
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<double[][]>> results = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          results.add(pool.submit(() -> {
            double[] work = new double[density.workspaceSize()];
            double[][] out = new double[points.length][n + 1];
            for (int round = 0; round < 20; round++) {
              for (int k = 0; k < points.length; k++) {
                out[k][n] = density.logDensityGradient(points[k], out[k], work);
              }
            }
            return out;
          }));
        }
        for (Future<double[][]> f : results) {
          double[][] out = f.get();
          for (int k = 0; k < points.length; k++) {
            assertArrayEquals(expected[k], out[k], 0.0, "point " + k);
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void callsAllocateNothing() throws Exception {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (String text : List.of(Files.readString(TestPaths.example("pot1")), Files.readString(TestPaths.example("kitchen_sink")),
        BackendAgreementTest.LARGE)) {
      LogDensity density = load(text);
      int n = density.dimension();
      double[][] points = points(16, n);
      double[] gradient = new double[n];
      double[] work = new double[density.workspaceSize()];
      double sink = 0;
      long thread = Thread.currentThread().getId();
      long allocated = Long.MAX_VALUE;
      // the first rounds load classes, profile and compile (Commons Numbers' erf allocates until
      // C2's escape analysis removes it); run until the code is hot, or give up
      for (int round = 0; round < 40 && allocated >= 4096; round++) {
        long before = threads.getThreadAllocatedBytes(thread);
        for (int k = 0; k < 20_000; k++) {
          sink += density.logDensityGradient(points[k & 15], gradient, work) + density.logDensity(points[k & 15], work);
        }
        allocated = threads.getThreadAllocatedBytes(thread) - before;
      }
      // one allocation per call would be at least 16 bytes x 40000 calls
      assertTrue(allocated < 4096, "generated code allocated " + allocated + " bytes in 40000 calls");
      assertEquals(sink, sink, "keep the calls alive");
    }
  }
}
