package io.flowc.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.ValueMarker;

/**
 * The notebook's tracker figure: for each flow parameter, its value and its (fresh, one-draw)
 * gradient at the tracked iterations, side by side.
 */
public final class TrackerFigure {
  /** Beyond this many parameters the panels get too small to read at the default size. */
  public static final int DEFAULT_MAX_PARAMETERS = 12;

  private static final Color VALUE = Palette.series(0);
  private static final Color GRADIENT = Palette.series(1);

  private TrackerFigure() {}

  /**
   * @param names the flow parameters' names
   * @param iterations the tracked iterations
   * @param values {@code values[k][p]}: parameter p at {@code iterations[k]}
   * @param gradients {@code gradients[k][p]}, likewise
   * @param maxParameters how many parameters to show (the first ones); the note says when some
   *     were left out
   */
  public static Figure of(String title, String note, List<String> names, int[] iterations, double[][] values,
      double[][] gradients, int maxParameters) {
    if (values.length != iterations.length || gradients.length != iterations.length) {
      throw new IllegalArgumentException(iterations.length + " iterations, " + values.length + " value rows, "
          + gradients.length + " gradient rows");
    }
    if (iterations.length == 0) {
      throw new IllegalArgumentException("nothing was tracked");
    }
    if (maxParameters < 1) {
      throw new IllegalArgumentException("showing " + maxParameters + " parameters");
    }
    int shown = Math.min(names.size(), maxParameters);
    String fullNote = shown < names.size()
        ? Figure.joinNotes(note, "the first " + shown + " of " + names.size() + " parameters") : note;
    double[] x = new double[iterations.length];
    for (int k = 0; k < x.length; k++) {
      x[k] = iterations[k];
    }
    int perRow = shown <= 3 ? 1 : shown <= 8 ? 2 : 3;
    int rows = (shown + perRow - 1) / perRow;
    List<JFreeChart> charts = new ArrayList<>();
    for (int p = 0; p < shown; p++) {
      boolean bottom = p / perRow == rows - 1;
      String xLabel = bottom ? "iteration" : null;
      charts.add(Charts.lines(names.get(p), xLabel, null, List.of(new Charts.Series("value", x,
          Columns.column(values, p), VALUE)), null, false));
      JFreeChart gradient = Charts.lines("grad " + names.get(p), xLabel, null, List.of(new Charts.Series("gradient",
          x, Columns.column(gradients, p), GRADIENT)), null, false);
      gradient.getXYPlot().addRangeMarker(new ValueMarker(0, Color.GRAY, new BasicStroke(0.8f)));
      charts.add(gradient);
    }
    double fonts = rows <= 3 ? 1 : rows <= 5 ? 0.85 : 0.75;
    return new Figure(title, fullNote).fontFactor(fonts).grid(charts, 2 * perRow, false, 0, 0, 1, 1);
  }
}
