package io.flowc.plot;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import org.jfree.chart.annotations.AbstractXYAnnotation;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleEdge;

/**
 * A density grid painted as one image stretched over its box, in the plot's background layer.
 * One image instead of a rectangle per cell (XYBlockRenderer): anti-aliased cell edges would
 * blend neighbouring bands into a faint mesh, and 40000 shapes draw far slower than one image.
 * Cells keep their exact band colours (nearest-neighbour scaling).
 */
final class DensityImage extends AbstractXYAnnotation {
  private static final long serialVersionUID = 1L;

  private final transient BufferedImage cells;
  private final Box box;

  DensityImage(DensityGrid grid) {
    this.box = grid.box();
    this.cells = new BufferedImage(grid.nx(), grid.ny(), BufferedImage.TYPE_INT_RGB);
    int bands = Palette.bands();
    for (int j = 0; j < grid.ny(); j++) {
      for (int i = 0; i < grid.nx(); i++) {
        int band = Math.min(bands - 1, (int) Math.floor(grid.at(i, j) * bands));
        // image rows run downwards, y upwards
        cells.setRGB(i, grid.ny() - 1 - j, Palette.band(Math.max(0, band)).getRGB());
      }
    }
  }

  @Override
  public void draw(Graphics2D g2, XYPlot plot, Rectangle2D dataArea, ValueAxis domainAxis, ValueAxis rangeAxis,
      int rendererIndex, PlotRenderingInfo info) {
    RectangleEdge xEdge = plot.getDomainAxisEdge();
    RectangleEdge yEdge = plot.getRangeAxisEdge();
    double x0 = domainAxis.valueToJava2D(box.xMin(), dataArea, xEdge);
    double x1 = domainAxis.valueToJava2D(box.xMax(), dataArea, xEdge);
    double yTop = rangeAxis.valueToJava2D(box.yMax(), dataArea, yEdge);
    double yBottom = rangeAxis.valueToJava2D(box.yMin(), dataArea, yEdge);
    AffineTransform place = new AffineTransform((x1 - x0) / cells.getWidth(), 0, 0,
        (yBottom - yTop) / cells.getHeight(), x0, yTop);
    Object interpolation = g2.getRenderingHint(RenderingHints.KEY_INTERPOLATION);
    g2.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
    g2.drawImage(cells, place, null);
    if (interpolation != null) {
      g2.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
    }
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
