package io.flowc.plot;

import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;

/**
 * A fitted flow: its draws over the target density (2-d), as pairwise scatter plots of the first
 * few elements (more dimensions) or as a histogram (1-d), and the loss history beside them.
 */
public final class FitFigure {
  /** Elements shown in pairwise plots: 4 gives 6 pairs, still readable beside the loss. */
  public static final int MAX_PAIR_ELEMENTS = 4;

  private static final double DRAWS_WIDTH = 0.6;

  private FitFigure() {}

  /**
   * @param target the 2-d target's grid (the draws are shown over it), or null for a model of any
   *     other dimension
   * @param names the model's element names, as many as each draw has elements
   * @param draws draws from the fitted flow, {@code draws[s][j]}
   * @param history the loss of every step
   */
  public static Figure of(String title, String note, DensityGrid target, List<String> names, double[][] draws,
      double[] history) {
    int d = Columns.dimension(draws, "fit figure");
    if (names.size() != d) {
      throw new IllegalArgumentException(names.size() + " names for " + d + "-element draws");
    }
    if (target != null && d != 2) {
      throw new IllegalArgumentException("a density under " + d + "-d draws");
    }
    Figure figure = new Figure(title, d > MAX_PAIR_ELEMENTS
        ? Figure.joinNotes(note, "pairs of the first " + MAX_PAIR_ELEMENTS + " of " + d + " elements") : note);
    if (target != null) {
      JFreeChart chart = Charts.density(target, "Flow draws over the target density", names.get(0), names.get(1),
          false);
      Charts.overlay(chart, new Charts.Series("draws", Columns.column(draws, 0), Columns.column(draws, 1),
          Palette.DRAWS), 4);
      figure.addEqualAspect(chart, 0, 0, DRAWS_WIDTH, 1);
    } else if (d == 1) {
      figure.add(Charts.histogram("Flow draws", names.get(0), Columns.column(draws, 0), bins(draws.length),
          Palette.DRAWS_PLAIN), 0, 0.1, DRAWS_WIDTH, 0.8);
    } else {
      List<JFreeChart> pairs = pairs(names, draws);
      figure.grid(pairs, (int) Math.ceil(Math.sqrt(pairs.size())), false, 0, 0, DRAWS_WIDTH, 1);
    }
    return figure.add(LossChart.of(history), DRAWS_WIDTH, 0.1, 1 - DRAWS_WIDTH, 0.8);
  }

  private static List<JFreeChart> pairs(List<String> names, double[][] draws) {
    int m = Math.min(names.size(), MAX_PAIR_ELEMENTS);
    List<JFreeChart> charts = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      for (int j = i + 1; j < m; j++) {
        charts.add(Charts.points(null, names.get(i), names.get(j), null, List.of(new Charts.Series("draws",
            Columns.column(draws, i), Columns.column(draws, j), Palette.DRAWS_PLAIN)), 4));
      }
    }
    return charts;
  }

  /** Sturges' rule, at least ten bins. */
  static int bins(int n) {
    return Math.max(10, (int) Math.ceil(Math.log(n) / Math.log(2)) + 1);
  }
}
