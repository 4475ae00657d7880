package io.flowc.plot;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.data.Range;

/** The loss history of a fit ({@code inference.hist}): every step, and a running mean through it. */
final class LossChart {
  private static final Color RAW = new Color(0x1f, 0x77, 0xb4, 110);
  private static final Color MEAN = new Color(0xd6, 0x27, 0x28);

  private LossChart() {}

  static JFreeChart of(double[] history) {
    double[] x = Columns.indices(history.length);
    for (int i = 0; i < x.length; i++) {
      x[i] += 1;
    }
    List<Charts.Series> series = new ArrayList<>();
    series.add(new Charts.Series("loss", x, history, RAW));
    int window = Math.max(1, history.length / 100);
    if (window > 1) {
      series.add(new Charts.Series("running mean of " + window, x, runningMean(history, window), MEAN));
    }
    return Charts.lines("Loss", "iteration", "loss", series, range(history), series.size() > 1);
  }

  /**
   * The mean of the finite values among the last {@code window} steps up to each step (NaN where
   * there are none, which leaves a gap).
   */
  static double[] runningMean(double[] values, int window) {
    double[] mean = new double[values.length];
    double sum = 0;
    int count = 0;
    for (int i = 0; i < values.length; i++) {
      if (Double.isFinite(values[i])) {
        sum += values[i];
        count++;
      }
      int leaving = i - window;
      if (leaving >= 0 && Double.isFinite(values[leaving])) {
        sum -= values[leaving];
        count--;
      }
      mean[i] = count == 0 ? Double.NaN : sum / count;
    }
    return mean;
  }

  /**
   * From the smallest loss to the 98th percentile: the first steps of a fit from random
   * parameters are often orders of magnitude above the rest and would flatten the interesting
   * part into a line. Null (fitted to the data) if nothing is finite.
   */
  static Range range(double[] history) {
    double[] finite = Arrays.stream(history).filter(Double::isFinite).sorted().toArray();
    if (finite.length == 0) {
      return null;
    }
    double lo = finite[0];
    double hi = Box.quantile(finite, 0.98);
    if (!(hi > lo)) {
      hi = lo + Math.max(1, Math.abs(lo) * 0.1);
    }
    double pad = 0.05 * (hi - lo);
    return new Range(lo - pad, hi + pad);
  }
}
