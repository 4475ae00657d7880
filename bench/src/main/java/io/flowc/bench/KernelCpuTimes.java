package io.flowc.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@link FlowKernelBenchmark}'s kernels timed side by side in one JVM, in CPU time per call (the
 * thread's, so that other processes on a shared machine slow it less than wall time): each
 * kernel warmed up, then rounds that time every kernel in turn, so that a ratio between two
 * kernels compares calls made under the same load. Prints, per kernel, the median and the range
 * of the rounds' µs per call, and each median relative to the first kernel's.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar io.flowc.bench.KernelCpuTimes \
 *     examples 9 W7-generated W7-generated-scalar W7-handwritten W7-handwritten-vector
 * </pre>
 * (arguments: the examples directory, the rounds, the workloads).
 */
public final class KernelCpuTimes {
  /** CPU time per round and kernel, and per kernel's warm-up. */
  private static final double ROUND_SECONDS = 0.5;
  private static final double WARMUP_SECONDS = 3;

  private KernelCpuTimes() {}

  public static void main(String[] args) throws Exception {
    String examples = args[0];
    int rounds = Integer.parseInt(args[1]);
    List<String> names = Arrays.asList(args).subList(2, args.length);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<FlowKernelBenchmark> kernels = new ArrayList<>();
    for (String name : names) {
      FlowKernelBenchmark k = new FlowKernelBenchmark();
      k.workload = name;
      k.examplesDir = examples;
      k.setUp();
      kernels.add(k);
      run(k, threads, WARMUP_SECONDS);
    }
    double[][] perCall = new double[names.size()][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < kernels.size(); k++) {
        perCall[k][r] = run(kernels.get(k), threads, ROUND_SECONDS);
      }
    }
    double first = median(perCall[0]);
    for (int k = 0; k < names.size(); k++) {
      double[] sorted = perCall[k].clone();
      Arrays.sort(sorted);
      System.out.printf(Locale.ROOT, "%-28s %10.1f us/call (%.1f-%.1f)  %.2fx%n", names.get(k), median(perCall[k]),
          sorted[0], sorted[sorted.length - 1], median(perCall[k]) / first);
    }
  }

  /** Calls the kernel for about {@code seconds} of CPU time; returns µs per call. */
  private static double run(FlowKernelBenchmark k, ThreadMXBean threads, double seconds) {
    long start = threads.getCurrentThreadCpuTime();
    long until = start + (long) (seconds * 1e9);
    long calls = 0;
    double sink = 0;
    long now;
    do {
      for (int i = 0; i < 8; i++) {
        sink += k.lossGradient();
      }
      calls += 8;
      now = threads.getCurrentThreadCpuTime();
    } while (now < until);
    if (sink == 42.4242) {
      System.out.print("");
    }
    return (now - start) / 1e3 / calls;
  }

  private static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }
}
