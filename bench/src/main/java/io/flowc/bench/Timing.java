package io.flowc.bench;

import io.flowc.runtime.LogDensity;
import java.util.Arrays;
import java.util.function.ObjIntConsumer;
import java.util.function.ToDoubleFunction;

/** What the NUTS workloads measure alike: a bare gradient's cost, and medians over runs. */
final class Timing {
  private Timing() {}

  /**
   * The median of seven rounds' mean microseconds per gradient, after three rounds of warm-up;
   * {@code move} sets the point before call i, so the calls do not repeat one point.
   */
  static double bareGradientMicros(LogDensity density, int calls, ObjIntConsumer<double[]> move) {
    double[] z = new double[density.dimension()];
    double[] grad = new double[z.length];
    double[] work = new double[density.workspaceSize()];
    double sink = 0;
    double[] times = new double[7];
    for (int t = -3; t < times.length; t++) {
      long start = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        move.accept(z, i);
        sink += density.logDensityGradient(z, grad, work) + grad[0];
      }
      if (t >= 0) {
        times[t] = (System.nanoTime() - start) / 1e3 / calls;
      }
    }
    if (sink == 0.123) {
      System.out.print("");
    }
    Arrays.sort(times);
    return times[times.length / 2];
  }

  /** The median of a quantity over runs (the mean of the middle two for an even count). */
  static <T> double median(T[] runs, ToDoubleFunction<T> f) {
    double[] v = Arrays.stream(runs).mapToDouble(f).sorted().toArray();
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
