package io.flowc.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;

/**
 * A titled figure of several panels, each a chart placed in a fraction of the area under the
 * title; rendered to an image of any size, so the same figure serves a thumbnail and a poster.
 */
public final class Figure {
  static {
    Headless.ensure();
  }

  public static final int DEFAULT_WIDTH = 1200;
  public static final int DEFAULT_HEIGHT = 900;
  /** Below this, axis labels and titles no longer fit. */
  public static final int MIN_SIZE = 200;
  /** Above this, one image takes hundreds of megabytes. */
  public static final int MAX_SIZE = 8000;

  /** The most elongated data area an equal-aspect panel gets. */
  static final double MAX_ASPECT = 2;

  private final String title;
  private final String note;
  private final List<Panel> panels = new ArrayList<>();
  private double fontFactor = 1;

  /**
   * A chart in the rectangle (x, y, w, h), in fractions of the area below the title; with
   * {@code equalAspect} the rectangle shrinks so that one unit on x is as long as one on y (a
   * ring must look round), as long as that leaves the data area at most 2:1.
   */
  private record Panel(JFreeChart chart, double x, double y, double w, double h, boolean equalAspect) {}

  /**
   * @param title the figure's heading (null for none)
   * @param note a smaller line under it (null for none), e.g. what was left out
   */
  public Figure(String title, String note) {
    this.title = title;
    this.note = note;
  }

  Figure add(JFreeChart chart, double x, double y, double w, double h) {
    panels.add(new Panel(chart, x, y, w, h, false));
    return this;
  }

  /** Like {@link #add}, keeping the data's aspect ratio. */
  Figure addEqualAspect(JFreeChart chart, double x, double y, double w, double h) {
    panels.add(new Panel(chart, x, y, w, h, true));
    return this;
  }

  /**
   * Charts in a grid of {@code columns} columns, filled row by row, inside the rectangle (x, y,
   * w, h) of the body.
   */
  Figure grid(List<JFreeChart> charts, int columns, boolean equalAspect, double x, double y, double w, double h) {
    int rows = (charts.size() + columns - 1) / columns;
    for (int k = 0; k < charts.size(); k++) {
      panels.add(new Panel(charts.get(k), x + w * (k % columns) / columns, y + h * (k / columns) / rows, w / columns,
          h / rows, equalAspect));
    }
    return this;
  }

  /** Smaller text for figures of many small panels. */
  Figure fontFactor(double factor) {
    this.fontFactor = factor;
    return this;
  }

  /** A caller's note followed by what the figure itself has to say (e.g. what it left out). */
  static String joinNotes(String note, String more) {
    return note == null || note.isEmpty() ? more : note + "; " + more;
  }

  public String title() {
    return title;
  }

  public String note() {
    return note;
  }

  public int panelCount() {
    return panels.size();
  }

  public RenderedFigure render() {
    return render(DEFAULT_WIDTH, DEFAULT_HEIGHT);
  }

  /**
   * Draws the figure into a {@code width} x {@code height} RGB image. Text grows with the image's
   * area (relative to 1200 x 900) so that a large figure is as readable as the default, and a
   * wide short one still has legible text.
   */
  public RenderedFigure render(int width, int height) {
    checkSize(width, height);
    double relativeArea = (double) width * height / ((double) DEFAULT_WIDTH * DEFAULT_HEIGHT);
    double scale = Math.max(0.6, Math.min(3.0, Math.sqrt(relativeArea))) * fontFactor;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      double top = drawHeading(g, width, scale);
      double bodyHeight = height - top;
      List<RenderedFigure.Panel> placed = new ArrayList<>();
      for (Panel p : panels) {
        Charts.applyFonts(p.chart(), scale);
        Rectangle2D area = new Rectangle2D.Double(p.x() * width, top + p.y() * bodyHeight, p.w() * width,
            p.h() * bodyHeight);
        if (p.equalAspect()) {
          area = equalAspect(p.chart(), area);
        }
        ChartRenderingInfo info = new ChartRenderingInfo();
        p.chart().draw(g, area, info);
        XYPlot plot = p.chart().getXYPlot();
        placed.add(new RenderedFigure.Panel(p.chart().getTitle() == null ? null : p.chart().getTitle().getText(),
            info.getPlotInfo().getDataArea().getBounds2D(), plot.getDomainAxis().getRange(),
            plot.getRangeAxis().getRange()));
      }
      return new RenderedFigure(image, placed);
    } finally {
      g.dispose();
    }
  }

  /** Renders at the given size and writes a PNG. */
  public void writePng(Path path, int width, int height) throws IOException {
    render(width, height).writePng(path);
  }

  /**
   * The part of {@code area} in which the chart's data area has the aspect ratio of its axis
   * ranges. The axes, titles and legends take a size that does not depend on the area, so a
   * trial layout tells how much to take off.
   */
  private static Rectangle2D equalAspect(JFreeChart chart, Rectangle2D area) {
    BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scratch.createGraphics();
    ChartRenderingInfo info = new ChartRenderingInfo();
    try {
      // the clip skips the pixels; the trial run only lays the chart out
      g.setClip(0, 0, 0, 0);
      chart.draw(g, area, info);
    } finally {
      g.dispose();
    }
    Rectangle2D data = info.getPlotInfo().getDataArea();
    XYPlot plot = chart.getXYPlot();
    double aspect = plot.getDomainAxis().getRange().getLength() / plot.getRangeAxis().getRange().getLength();
    // a window far wider than high (a long-tailed target) would shrink to a sliver: beyond 2:1 the
    // panel keeps 2:1 and the units differ
    aspect = Math.max(1 / MAX_ASPECT, Math.min(MAX_ASPECT, aspect));
    if (data.getWidth() <= 0 || data.getHeight() <= 0) {
      return area;
    }
    if (data.getWidth() / data.getHeight() > aspect) {
      double cut = data.getWidth() - data.getHeight() * aspect;
      return new Rectangle2D.Double(area.getX() + cut / 2, area.getY(), area.getWidth() - cut, area.getHeight());
    }
    double cut = data.getHeight() - data.getWidth() / aspect;
    return new Rectangle2D.Double(area.getX(), area.getY() + cut / 2, area.getWidth(), area.getHeight() - cut);
  }

  public static void checkSize(int width, int height) {
    if (width < MIN_SIZE || height < MIN_SIZE || width > MAX_SIZE || height > MAX_SIZE) {
      throw new IllegalArgumentException("image size " + width + " x " + height + " is outside " + MIN_SIZE + " .. "
          + MAX_SIZE + " pixels per side");
    }
  }

  /** The title and note, centred; returns the height they take. */
  private double drawHeading(Graphics2D g, int width, double scale) {
    double y = 0;
    if (title != null) {
      y += 8 * scale;
      y = drawCentred(g, title, new Font(Font.SANS_SERIF, Font.BOLD, (int) Math.round(20 * scale)), Color.BLACK,
          width, y);
    }
    if (note != null) {
      y += 2 * scale;
      y = drawCentred(g, note, new Font(Font.SANS_SERIF, Font.PLAIN, (int) Math.round(13 * scale)), Color.DARK_GRAY,
          width, y);
    }
    return y == 0 ? 0 : y + 6 * scale;
  }

  private static double drawCentred(Graphics2D g, String text, Font font, Color color, int width, double top) {
    g.setFont(font);
    g.setColor(color);
    FontMetrics m = g.getFontMetrics();
    g.drawString(text, (float) ((width - m.stringWidth(text)) / 2.0), (float) (top + m.getAscent()));
    return top + m.getHeight();
  }
}
