package io.flowc.plot;

import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.jfree.data.Range;

/**
 * A figure drawn into an image, with where each panel's data area landed: enough to map a pixel
 * back to data coordinates, which is how the tests check that a picture shows the right thing.
 */
public final class RenderedFigure {
  private final BufferedImage image;
  private final List<Panel> panels;

  /** One panel: its title, its data area in image pixels, and the axis ranges it shows. */
  public record Panel(String title, Rectangle2D dataArea, Range x, Range y) {
    /** The data coordinates (x, y) at an image pixel. */
    public Point2D toData(double px, double py) {
      double fx = (px - dataArea.getMinX()) / dataArea.getWidth();
      double fy = (dataArea.getMaxY() - py) / dataArea.getHeight();
      return new Point2D.Double(x.getLowerBound() + fx * x.getLength(), y.getLowerBound() + fy * y.getLength());
    }

    /** The image pixel at data coordinates (x, y). */
    public Point2D toPixel(double dataX, double dataY) {
      double fx = (dataX - x.getLowerBound()) / x.getLength();
      double fy = (dataY - y.getLowerBound()) / y.getLength();
      return new Point2D.Double(dataArea.getMinX() + fx * dataArea.getWidth(), dataArea.getMaxY() - fy
          * dataArea.getHeight());
    }
  }

  RenderedFigure(BufferedImage image, List<Panel> panels) {
    this.image = image;
    this.panels = List.copyOf(panels);
  }

  public BufferedImage image() {
    return image;
  }

  public List<Panel> panels() {
    return panels;
  }

  /** The image as PNG bytes; the same figure and size always give the same bytes. */
  public byte[] png() {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
    if (!writers.hasNext()) {
      throw new IllegalStateException("no PNG writer in this Java runtime");
    }
    ImageWriter writer = writers.next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      // the strongest deflate: figures are written once and kept (docs/), so size beats speed
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(0f);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("PNG encoding into memory failed", e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /**
   * Writes the PNG. The bytes are encoded first, so a failure to encode leaves no half-written
   * file behind.
   */
  public void writePng(Path path) throws IOException {
    Files.write(path, png());
  }
}
