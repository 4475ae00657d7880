package io.flowc.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.title.Title;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.Range;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.statistics.HistogramType;
import org.jfree.data.xy.DefaultXYDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;

/** The panels every figure is made of: JFreeChart XY plots with one look. */
final class Charts {
  static {
    Headless.ensure();
  }

  private static final Color GRID = new Color(0xdd, 0xdd, 0xdd);
  private static final Color BACKGROUND = Color.WHITE;

  /** Base font sizes at the default 1200 x 900; {@link #applyFonts} scales them. */
  private static final float TITLE_PT = 15;
  private static final float LABEL_PT = 13;
  private static final float TICK_PT = 11;
  private static final float LEGEND_PT = 11;

  /** Above this many points a line panel is drawn without anti-aliasing. */
  static final int DENSE_LINE_POINTS = 4000;

  private Charts() {}

  /** Points or a line of one series. */
  record Series(String name, double[] x, double[] y, Color color) {
    Series {
      if (x.length != y.length) {
        throw new IllegalArgumentException(name + ": " + x.length + " x values, " + y.length + " y values");
      }
    }
  }

  /** The banded density exp(-U) of a grid, with a colour bar when asked. */
  static JFreeChart density(DensityGrid grid, String title, String xLabel, String yLabel, boolean colorBar) {
    // The grid is an annotation of the plot's first renderer, under any draws laid over it later.
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, false);
    renderer.addAnnotation(new DensityImage(grid), Layer.BACKGROUND);
    XYPlot plot = new XYPlot(new DefaultXYDataset(), axis(xLabel, grid.box().xMin(), grid.box().xMax()),
        axis(yLabel, grid.box().yMin(), grid.box().yMax()), renderer);
    JFreeChart chart = chart(title, plot);
    if (colorBar) {
      NumberAxis scale = new NumberAxis("exp(-U) / max");
      scale.setRange(0, 1);
      scale.setTickUnit(new NumberTickUnit(0.1));
      PaintScaleLegend legend = new PaintScaleLegend(Palette.densityBands(), scale);
      legend.setPosition(RectangleEdge.RIGHT);
      legend.setAxisLocation(AxisLocation.BOTTOM_OR_RIGHT);
      legend.setMargin(new RectangleInsets(4, 6, 4, 2));
      legend.setStripWidth(12);
      legend.setBackgroundPaint(BACKGROUND);
      chart.addSubtitle(legend);
    }
    return chart;
  }

  /** Draws over an existing panel (a density), drawn after what is already there. */
  static void overlay(JFreeChart chart, Series points, double pointSize) {
    XYPlot plot = chart.getXYPlot();
    int index = plot.getDatasetCount();
    plot.setDataset(index, dataset(List.of(points)));
    plot.setRenderer(index, pointRenderer(List.of(points), pointSize));
    plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
  }

  /** A scatter plot; {@code box} fixes the axes (null: fitted to the points). */
  static JFreeChart points(String title, String xLabel, String yLabel, Box box, List<Series> series, double pointSize) {
    XYPlot plot = new XYPlot(dataset(series), axis(xLabel, box == null ? null : new Range(box.xMin(), box.xMax())),
        axis(yLabel, box == null ? null : new Range(box.yMin(), box.yMax())), pointRenderer(series, pointSize));
    return withLegend(chart(title, plot), series.size() > 1);
  }

  /** Lines through the series' points; {@code yRange} null means fitted to the data. */
  static JFreeChart lines(String title, String xLabel, String yLabel, List<Series> series, Range yRange, boolean legend) {
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    // one path per series instead of a segment per point: far faster for 25000-step histories
    renderer.setDrawSeriesLineAsPath(true);
    for (int s = 0; s < series.size(); s++) {
      renderer.setSeriesPaint(s, series.get(s).color());
      renderer.setSeriesStroke(s, new BasicStroke(1.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    }
    XYPlot plot = new XYPlot(dataset(series), axis(xLabel, (Range) null), axis(yLabel,
        yRange != null ? yRange : valueRange(series)), renderer);
    JFreeChart chart = chart(title, plot);
    int points = series.stream().mapToInt(s -> s.x().length).sum();
    if (points > DENSE_LINE_POINTS) {
      // lines this dense fill their band either way; anti-aliasing them only adds thousands of
      // blended colours, which doubles the PNG's size
      chart.setAntiAlias(false);
    }
    return withLegend(chart, legend);
  }

  /**
   * The finite y values' range, padded by 5%; a constant series gets a range of its own, as
   * JFreeChart's automatic range around a constant shows the same tick label many times.
   */
  static Range valueRange(List<Series> series) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double v : s.y()) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (lo > hi) {
      return null;
    }
    double span = hi - lo;
    if (span <= 1e-9 * Math.max(1, Math.abs(hi))) {
      double half = Math.max(0.5, 0.1 * Math.abs(hi));
      return new Range(lo - half, hi + half);
    }
    return new Range(lo - 0.05 * span, hi + 0.05 * span);
  }

  /** A histogram of values, normalised to unit area so it reads as a density. */
  static JFreeChart histogram(String title, String xLabel, double[] values, int bins, Color color) {
    HistogramDataset dataset = new HistogramDataset();
    dataset.setType(HistogramType.SCALE_AREA_TO_1);
    dataset.addSeries("draws", values, bins);
    XYBarRenderer renderer = new XYBarRenderer();
    renderer.setBarPainter(new StandardXYBarPainter());
    renderer.setShadowVisible(false);
    renderer.setDrawBarOutline(false);
    renderer.setSeriesPaint(0, color);
    XYPlot plot = new XYPlot(dataset, axis(xLabel, (Range) null), axis("density", (Range) null), renderer);
    return chart(title, plot);
  }

  /**
   * Bars over the intervals {@code [x0[b], x1[b])} up to {@code heights[b]}, under a translucent
   * band from {@code lower[b]} to {@code upper[b]} in each interval: a histogram with the range its
   * counts are expected in, a bar's end inside or outside it at a glance.
   */
  static JFreeChart bandedBars(String title, String xLabel, String yLabel, double[] x0, double[] x1,
      double[] heights, double[] lower, double[] upper, Color bars, Color band) {
    XYIntervalSeries counts = new XYIntervalSeries("counts");
    XYIntervalSeries expected = new XYIntervalSeries("band");
    double top = 0;
    for (int b = 0; b < x0.length; b++) {
      counts.add((x0[b] + x1[b]) / 2, x0[b], x1[b], heights[b], 0, heights[b]);
      expected.add((x0[b] + x1[b]) / 2, x0[b], x1[b], (lower[b] + upper[b]) / 2, lower[b], upper[b]);
      top = Math.max(top, Math.max(heights[b], upper[b]));
    }
    XYBarRenderer bandRenderer = barRenderer(band);
    bandRenderer.setUseYInterval(true);
    XYBarRenderer barRenderer = barRenderer(bars);
    barRenderer.setMargin(0.15);
    XYIntervalSeriesCollection barData = new XYIntervalSeriesCollection();
    barData.addSeries(counts);
    XYPlot plot = new XYPlot(barData, axis(xLabel, new Range(x0[0], x1[x1.length - 1])),
        axis(yLabel, new Range(0, top * 1.08 + 1)), barRenderer);
    XYIntervalSeriesCollection bandData = new XYIntervalSeriesCollection();
    bandData.addSeries(expected);
    plot.setDataset(1, bandData);
    plot.setRenderer(1, bandRenderer);
    plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
    return chart(title, plot);
  }

  private static XYBarRenderer barRenderer(Color color) {
    XYBarRenderer renderer = new XYBarRenderer();
    renderer.setBarPainter(new StandardXYBarPainter());
    renderer.setShadowVisible(false);
    renderer.setDrawBarOutline(false);
    renderer.setSeriesPaint(0, color);
    return renderer;
  }

  /**
   * Sets every font of a chart from the base sizes times {@code scale}; idempotent, so a figure
   * can be rendered at several sizes.
   */
  static void applyFonts(JFreeChart chart, double scale) {
    if (chart.getTitle() != null) {
      chart.getTitle().setFont(font(Font.BOLD, TITLE_PT, scale));
    }
    for (int i = 0; i < chart.getSubtitleCount(); i++) {
      Title t = chart.getSubtitle(i);
      if (t instanceof LegendTitle legend) {
        legend.setItemFont(font(Font.PLAIN, LEGEND_PT, scale));
      } else if (t instanceof PaintScaleLegend bar) {
        styleAxis(bar.getAxis(), scale);
        bar.setStripWidth(12 * scale);
      }
    }
    XYPlot plot = chart.getXYPlot();
    for (int i = 0; i < plot.getDomainAxisCount(); i++) {
      styleAxis(plot.getDomainAxis(i), scale);
    }
    for (int i = 0; i < plot.getRangeAxisCount(); i++) {
      styleAxis(plot.getRangeAxis(i), scale);
    }
  }

  private static void styleAxis(ValueAxis axis, double scale) {
    if (axis != null) {
      axis.setLabelFont(font(Font.PLAIN, LABEL_PT, scale));
      axis.setTickLabelFont(font(Font.PLAIN, TICK_PT, scale));
    }
  }

  private static Font font(int style, float points, double scale) {
    return new Font(Font.SANS_SERIF, style, Math.max(6, (int) Math.round(points * scale)));
  }

  private static JFreeChart chart(String title, XYPlot plot) {
    plot.setBackgroundPaint(BACKGROUND);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    plot.setDomainGridlineStroke(new BasicStroke(0.8f));
    plot.setRangeGridlineStroke(new BasicStroke(0.8f));
    plot.setOutlinePaint(Color.GRAY);
    plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
    JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    if (title != null) {
      chart.setTitle(new TextTitle(title));
    }
    chart.setBackgroundPaint(BACKGROUND);
    chart.setBorderVisible(false);
    chart.setPadding(new RectangleInsets(4, 6, 4, 10));
    return chart;
  }

  private static JFreeChart withLegend(JFreeChart chart, boolean legend) {
    if (legend) {
      LegendTitle l = new LegendTitle(chart.getXYPlot());
      l.setPosition(RectangleEdge.BOTTOM);
      l.setFrame(BlockBorder.NONE);
      l.setBackgroundPaint(BACKGROUND);
      chart.addSubtitle(l);
    }
    return chart;
  }

  private static NumberAxis axis(String label, double lo, double hi) {
    return axis(label, new Range(lo, hi));
  }

  private static NumberAxis axis(String label, Range range) {
    NumberAxis axis = new NumberAxis(label);
    axis.setAutoRangeIncludesZero(false);
    if (range != null) {
      axis.setRange(range);
    }
    return axis;
  }

  private static DefaultXYDataset dataset(List<Series> series) {
    DefaultXYDataset dataset = new DefaultXYDataset();
    for (Series s : series) {
      dataset.addSeries(s.name(), new double[][] {s.x(), s.y()});
    }
    return dataset;
  }

  private static XYLineAndShapeRenderer pointRenderer(List<Series> series, double size) {
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
    Shape dot = new Ellipse2D.Double(-size / 2, -size / 2, size, size);
    renderer.setAutoPopulateSeriesShape(false);
    renderer.setDefaultShape(dot);
    for (int s = 0; s < series.size(); s++) {
      renderer.setSeriesPaint(s, series.get(s).color());
      renderer.setSeriesShape(s, dot);
    }
    return renderer;
  }
}
