package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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

  /**
   * Allocation is measured in a JVM of its own: in the test JVM, thousands of other generated
   * classes compete for the JIT, and code still interpreted or compiled by C1 keeps temporaries
   * (Commons Numbers' erf) that C2 removes.
   */
  @Test
  void callsAllocateNothing() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "-Dflowc.root.dir=" + TestPaths.repoRoot(), AllocationProbe.class.getName())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the probe did not finish");
    assertEquals(0, process.exitValue(), output);
    List<String> lines = output.lines().filter(l -> l.startsWith("allocated ")).toList();
    assertEquals(3, lines.size(), output);
    for (String line : lines) {
      long bytes = Long.parseLong(line.split(" ")[1]);
      // one allocation per call would be at least 16 bytes x 40000 calls
      assertTrue(bytes < 4096, line);
    }
  }
}
