package io.flowc.plot;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jfree.chart.JFreeChart;

/** NUTS draws: a trace per element with one line per chain, and the joint scatter of the first two. */
public final class NutsFigure {
  /** Traces shown: more would squeeze each to a sliver. */
  public static final int MAX_TRACES = 4;

  private static final double TRACES_WIDTH = 0.62;

  private NutsFigure() {}

  /**
   * @param names the model's element names
   * @param chains {@code chains[c][s][j]}: element j of draw s of chain c (tuning draws left out)
   */
  public static Figure of(String title, String note, List<String> names, double[][][] chains) {
    if (chains.length == 0) {
      throw new IllegalArgumentException("no chains");
    }
    int d = -1;
    for (double[][] chain : chains) {
      int dc = Columns.dimension(chain, "NUTS figure");
      if (d >= 0 && dc != d) {
        throw new IllegalArgumentException("chains of " + d + " and " + dc + " elements");
      }
      d = dc;
    }
    if (names.size() != d) {
      throw new IllegalArgumentException(names.size() + " names for " + d + "-element draws");
    }
    int traces = Math.min(d, MAX_TRACES);
    Figure figure = new Figure(title, d > traces
        ? Figure.joinNotes(note, "traces of the first " + traces + " of " + d + " elements") : note);
    List<JFreeChart> charts = new ArrayList<>();
    for (int j = 0; j < traces; j++) {
      List<Charts.Series> lines = new ArrayList<>();
      for (int c = 0; c < chains.length; c++) {
        lines.add(new Charts.Series("chain " + c, Columns.indices(chains[c].length), Columns.column(chains[c], j),
            Palette.series(c)));
      }
      charts.add(Charts.lines("Trace of " + names.get(j), j == traces - 1 ? "draw" : null, names.get(j), lines, null,
          j == 0 && chains.length > 1));
    }
    figure.grid(charts, 1, false, 0, 0, TRACES_WIDTH, 1);
    if (d >= 2) {
      List<Charts.Series> points = new ArrayList<>();
      for (int c = 0; c < chains.length; c++) {
        points.add(new Charts.Series("chain " + c, Columns.column(chains[c], 0), Columns.column(chains[c], 1),
            translucent(c)));
      }
      figure.add(Charts.points("Joint draws", names.get(0), names.get(1), null, points, 4), TRACES_WIDTH, 0.1,
          1 - TRACES_WIDTH, 0.8);
    } else {
      double[] all = Arrays.stream(chains).flatMap(Arrays::stream).mapToDouble(r -> r[0])
          .toArray();
      figure.add(Charts.histogram("Draws of " + names.get(0), names.get(0), all, FitFigure.bins(all.length),
          Palette.DRAWS_PLAIN), TRACES_WIDTH, 0.1, 1 - TRACES_WIDTH, 0.8);
    }
    return figure;
  }

  private static Color translucent(int chain) {
    Color c = Palette.series(chain);
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), 120);
  }
}
