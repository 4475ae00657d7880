package io.flowc.plot;

import io.flowc.runtime.calibration.Calibration;
import io.flowc.runtime.calibration.RankHistogram;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;

/**
 * Simulation-based calibration: one rank histogram per parameter element, each bin under the grey
 * band its count falls in 99 % of the time when the ranks are uniform (a binomial interval per
 * bin). Bars outside their band in a U, a hump or a slope are what a miscalibrated fit looks like.
 */
public final class RankFigure {
  /** Panels drawn: more would be too small to read. */
  public static final int MAX_PANELS = 16;
  /** The band's level: per bin, so about one bin in a hundred is outside it by chance. */
  public static final double BAND_LEVEL = 0.99;

  static final Color BAND = new Color(0x80, 0x80, 0x80, 90);
  static final Color BARS = new Color(0x1f, 0x77, 0xb4);

  private RankFigure() {}

  /** The histograms of the first {@value #MAX_PANELS} elements, each titled with its name, p-value and shape. */
  public static Figure of(String title, String note, List<Calibration> elements) {
    if (elements.isEmpty()) {
      throw new IllegalArgumentException("no ranks to draw");
    }
    int shown = Math.min(elements.size(), MAX_PANELS);
    Figure figure = new Figure(title, elements.size() > shown
        ? Figure.joinNotes(note, "the first " + shown + " of " + elements.size() + " elements") : note);
    List<JFreeChart> charts = new ArrayList<>();
    int columns = (int) Math.ceil(Math.sqrt(shown));
    int rows = (shown + columns - 1) / columns;
    for (int j = 0; j < shown; j++) {
      boolean bottom = j >= shown - columns;
      charts.add(panel(elements.get(j), bottom ? "rank" : null, j % columns == 0 ? "simulations" : null));
    }
    return figure.fontFactor(rows > 2 ? 0.8 : 1).grid(charts, columns, false, 0, 0, 1, 1);
  }

  private static JFreeChart panel(Calibration c, String xLabel, String yLabel) {
    RankHistogram h = c.histogram();
    int[] edges = h.edges();
    int[] counts = h.counts();
    int[][] band = h.band(BAND_LEVEL);
    int bins = counts.length;
    double[] x0 = new double[bins];
    double[] x1 = new double[bins];
    double[] heights = new double[bins];
    double[] lower = new double[bins];
    double[] upper = new double[bins];
    for (int b = 0; b < bins; b++) {
      x0[b] = edges[b];
      x1[b] = edges[b + 1];
      heights[b] = counts[b];
      lower[b] = band[0][b];
      upper[b] = band[1][b];
    }
    String title = String.format(Locale.ROOT, "%s  p %s  %s", c.name(), pValue(c.pValue()), c.shape().word());
    return Charts.bandedBars(title, xLabel, yLabel, x0, x1, heights, lower, upper, BARS, BAND);
  }

  /** "= 0.412", "= 3e-05", "< 1e-16" or "n/a" (one bin: too few simulations for the test). */
  private static String pValue(double p) {
    if (Double.isNaN(p)) {
      return "n/a";
    }
    if (p < 1e-16) {
      // the chi-square tail underflows long before a departure this clear needs more digits
      return "< 1e-16";
    }
    return "= " + (p < 0.001 ? String.format(Locale.ROOT, "%.0e", p) : String.format(Locale.ROOT, "%.3f", p));
  }
}
