package io.flowc.plot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jfree.chart.JFreeChart;

/**
 * The notebook's last figure: the target density, NUTS draws and the flow's draws side by side
 * on the same axes, so that a missed mode or a wrong spread shows at a glance.
 */
public final class CompareFigure {
  private CompareFigure() {}

  /**
   * @param target the 2-d target's grid; its window is every panel's window. Null for a model of
   *     another dimension: then only the draws of the first two elements are shown, in a window
   *     around both sets
   * @param nuts NUTS draws (all chains), {@code nuts[s][j]}
   * @param flow the fitted flow's draws, likewise
   */
  public static Figure of(String title, String note, DensityGrid target, List<String> names, double[][] nuts,
      double[][] flow) {
    int d = Columns.dimension(nuts, "NUTS draws");
    if (Columns.dimension(flow, "flow draws") != d || names.size() != d) {
      throw new IllegalArgumentException("NUTS draws, flow draws and names disagree on the dimension");
    }
    if (d < 2) {
      throw new IllegalArgumentException("a comparison needs at least 2 elements, not " + d);
    }
    if (target != null && d != 2) {
      throw new IllegalArgumentException("a 2-d density beside " + d + "-d draws");
    }
    Box box = target != null ? target.box() : Box.around(concat(Columns.column(nuts, 0), Columns.column(flow, 0)),
        concat(Columns.column(nuts, 1), Columns.column(flow, 1)));
    List<JFreeChart> charts = new ArrayList<>();
    if (target != null) {
      charts.add(Charts.density(target, "Target exp(-U)", names.get(0), names.get(1), false));
    }
    charts.add(draws("NUTS (" + nuts.length + " draws)", names, box, nuts));
    charts.add(draws("Flow (" + flow.length + " draws)", names, box, flow));
    Figure figure = new Figure(title, d > 2 ? Figure.joinNotes(note, "the first two of " + d + " elements") : note);
    return figure.grid(charts, charts.size(), true, 0, 0, 1, 1);
  }

  private static JFreeChart draws(String title, List<String> names, Box box, double[][] draws) {
    return Charts.points(title, names.get(0), names.get(1), box, List.of(new Charts.Series("draws",
        Columns.column(draws, 0), Columns.column(draws, 1), Palette.DRAWS_PLAIN)), 3);
  }

  private static double[] concat(double[] a, double[] b) {
    double[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
