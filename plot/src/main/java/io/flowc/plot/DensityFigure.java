package io.flowc.plot;

import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;

/** The target density exp(-U) of one or more 2-d models: the notebook's 2 x 2 figure of pot1..pot4. */
public final class DensityFigure {
  private DensityFigure() {}

  /** One model's panel: its name (the panel title), its grid and its two element names. */
  public record Panel(String name, DensityGrid grid, String xLabel, String yLabel) {}

  public static Figure of(List<Panel> models) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException("no model to draw");
    }
    String title = models.size() == 1 ? models.get(0).name() + ": target density exp(-U)" : "Target densities exp(-U)";
    Figure figure = new Figure(title, "ten bands of equal height between 0 and the largest value in the window");
    List<JFreeChart> charts = new ArrayList<>();
    for (Panel m : models) {
      charts.add(Charts.density(m.grid(), models.size() == 1 ? null : m.name(), m.xLabel(), m.yLabel(), true));
    }
    return figure.grid(charts, columns(models.size()), true, 0, 0, 1, 1);
  }

  /** Two models side by side, four as 2 x 2 like the notebook, more in a near-square grid. */
  static int columns(int panels) {
    if (panels <= 3) {
      return panels;
    }
    return (int) Math.ceil(Math.sqrt(panels));
  }
}
