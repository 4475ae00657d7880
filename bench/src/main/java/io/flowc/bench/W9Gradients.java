package io.flowc.bench;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.RowChunks;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * W9's gradient split into chunks of rows ({@link RowChunks}, as {@code flowc sample
 * --gradient-threads T} splits it): microseconds per log density gradient of the unsplit model and
 * of the split one on each thread count asked for, in one JVM, with the load average before and
 * after (the speed-up needs idle cores) and the cores the process kept busy while timing each split
 * (its CPU time over the wall time: near 2 for two threads that both ran), and the split gradient
 * on one thread with each chunk running the code of free sizes rather than code specialized to its
 * rows. The split gradient's bits are checked to be the same on every thread count and either way.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.flowc.bench.W9Gradients examples [threads,...]
 * [calls]} (defaults: 1,2 and 200 calls per round, the median of 7 rounds after 3 of warm-up).
 */
public final class W9Gradients {
  private W9Gradients() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "examples");
    int[] threads = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {1, 2};
    int calls = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    System.out.println("load average before: " + loadAverage());
    W9Data.Data data = W9Data.generate(W9Data.ROWS, W9Data.PREDICTORS, W9Data.SEED);
    Path file = dir.resolve("logistic.flow");
    CheckedModel model = FrontEnd.check(new SourceFile(file.toString(), Files.readString(file)),
        data.toDataSet("W9 data (seed " + W9Data.SEED + ")"));
    LogDensity whole = Compilation.load(model);
    RowChunks chunks = Compilation.rowChunks(model).orElseThrow(() -> new IllegalStateException("W9 is not split"));
    System.out.printf(Locale.ROOT, "W9: %d rows x %d predictors, %d chunks of about %d rows%n", data.n(), data.k(),
        chunks.count(), data.n() / chunks.count());
    System.out.printf(Locale.ROOT, "unsplit:            %8.1f us per gradient%n", micros(whole, calls));
    System.out.printf(Locale.ROOT, "unsplit, sizes free:%8.1f us per gradient%n", micros(Compilation.load(Compilation.freeSizes(model)), calls));
    double[] reference = null;
    double one = Double.NaN;
    for (int t : threads) {
      try (RowChunks.Lane lane = chunks.lane(t)) {
        long cpu = processCpuNanos();
        long wall = System.nanoTime();
        double us = micros(lane, calls);
        double busy = (double) (processCpuNanos() - cpu) / (System.nanoTime() - wall);
        if (t == 1) {
          one = us;
        }
        System.out.printf(Locale.ROOT, "split, %d thread%s:   %8.1f us per gradient, %.2f cores busy%s%n", t,
            t == 1 ? " " : "s", us, busy,
            Double.isNaN(one) || t == 1 ? "" : String.format(Locale.ROOT, " (%.2fx one thread)", one / us));
        double[] g = gradientAt(lane);
        if (reference == null) {
          reference = g;
        } else if (!Arrays.equals(reference, g)) {
          throw new IllegalStateException(t + " threads changed the gradient's bits");
        }
      }
    }
    try (RowChunks.Lane lane = Compilation.rowChunks(model, 0, false).orElseThrow().lane(1)) {
      System.out.printf(Locale.ROOT, "split, 1 thread, chunks' code of free sizes:%8.1f us per gradient%n",
          micros(lane, calls));
      if (!Arrays.equals(reference, gradientAt(lane))) {
        throw new IllegalStateException("the specialized chunks changed the gradient's bits");
      }
    }
    System.out.println("the same bits on every thread count; load average after: " + loadAverage());
  }

  private static double micros(LogDensity density, int calls) {
    return Timing.bareGradientMicros(density, calls, (z, i) -> z[i % z.length] = (i & 7) * 0.05 - 0.2);
  }

  /** The log density and gradient at a fixed point, as one array. */
  private static double[] gradientAt(LogDensity density) {
    double[] z = new double[density.dimension()];
    for (int k = 0; k < z.length; k++) {
      z[k] = (k & 7) * 0.05 - 0.2;
    }
    double[] g = new double[z.length + 1];
    g[z.length] = density.logDensityGradient(z, g, new double[density.workspaceSize()]);
    return g;
  }

  /** The CPU time of the whole process (JIT and GC threads included), or 0 where the JVM does not tell. */
  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : 0;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | UnsupportedOperationException e) {
      return "unknown";
    }
  }
}
