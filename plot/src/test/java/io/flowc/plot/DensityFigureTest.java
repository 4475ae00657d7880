package io.flowc.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class DensityFigureTest {
  private static final int TOP_BAND = Palette.band(Palette.bands() - 1).getRGB() & 0xffffff;

  private static DensityFigure.Panel panel(String name, java.util.function.DoubleBinaryOperator logp) {
    return new DensityFigure.Panel(name, DensityGrid.of(logp, Box.NOTEBOOK, 120), "z[0]", "z[1]");
  }

  @Test
  void theImageHasTheRequestedSizeAndIsNotBlank() {
    Figure figure = DensityFigure.of(List.of(panel("pot1", Potentials.POT1)));
    for (int[] size : new int[][] {{1200, 900}, {640, 480}}) {
      BufferedImage image = figure.render(size[0], size[1]).image();
      assertEquals(size[0], image.getWidth());
      assertEquals(size[1], image.getHeight());
      assertTrue(Pixels.greyVariance(image) > 500, "grey variance " + Pixels.greyVariance(image));
    }
  }

  /** The highest band of pot1 lies on the ring of radius 2, in the two lobes at z[0] = +-2. */
  @Test
  void theBrightestBandOfPot1LiesOnTheRingOfRadius2() {
    RenderedFigure rendered = DensityFigure.of(List.of(panel("pot1", Potentials.POT1))).render(900, 900);
    RenderedFigure.Panel p = rendered.panels().get(0);
    BufferedImage image = rendered.image();
    Rectangle2D area = p.dataArea();
    int n = 0;
    int left = 0;
    for (int y = (int) Math.ceil(area.getMinY()); y < (int) area.getMaxY(); y++) {
      for (int x = (int) Math.ceil(area.getMinX()); x < (int) area.getMaxX(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == TOP_BAND) {
          Point2D z = p.toData(x + 0.5, y + 0.5);
          double r = Math.hypot(z.getX(), z.getY());
          assertTrue(Math.abs(r - 2) < 0.35, "a top-band pixel at " + z + ", radius " + r);
          assertTrue(Math.abs(z.getX()) > 1.2, "a top-band pixel at " + z + " away from the lobes");
          n++;
          left += z.getX() < 0 ? 1 : 0;
        }
      }
    }
    assertTrue(n > 1000, n + " top-band pixels");
    // both lobes, equally
    assertEquals(0.5, (double) left / n, 0.05);
  }

  /** pot2's ridge follows sin(2 pi z[0] / 4): checks that up in the data is up in the image. */
  @Test
  void theBrightestBandOfPot2FollowsTheSineRidge() {
    RenderedFigure rendered = DensityFigure.of(List.of(panel("pot2", Potentials.POT2))).render(800, 800);
    RenderedFigure.Panel p = rendered.panels().get(0);
    Rectangle2D area = p.dataArea();
    int n = 0;
    for (int y = (int) Math.ceil(area.getMinY()); y < (int) area.getMaxY(); y++) {
      for (int x = (int) Math.ceil(area.getMinX()); x < (int) area.getMaxX(); x++) {
        if ((rendered.image().getRGB(x, y) & 0xffffff) == TOP_BAND) {
          Point2D z = p.toData(x + 0.5, y + 0.5);
          assertEquals(Math.sin(2 * Math.PI * z.getX() / 4), z.getY(), 0.3, "top-band pixel at " + z);
          n++;
        }
      }
    }
    assertTrue(n > 100, n + " top-band pixels");
  }

  @Test
  void fourModelsMakeTheNotebooks2x2GridOfSquarePanels() {
    RenderedFigure rendered = DensityFigure.of(List.of(panel("pot1", Potentials.POT1), panel("pot2", Potentials.POT2),
        panel("pot1 again", Potentials.POT1), panel("pot2 again", Potentials.POT2))).render(1200, 900);
    List<RenderedFigure.Panel> panels = rendered.panels();
    assertEquals(List.of("pot1", "pot2", "pot1 again", "pot2 again"), panels.stream().map(RenderedFigure.Panel::title)
        .toList());
    for (RenderedFigure.Panel p : panels) {
      // equal aspect: the [-4, 4]^2 window is drawn square
      assertEquals(1, p.dataArea().getWidth() / p.dataArea().getHeight(), 0.03, p.toString());
    }
    Rectangle2D first = panels.get(0).dataArea();
    assertTrue(panels.get(1).dataArea().getMinX() > first.getMaxX(), "second panel right of the first");
    assertTrue(panels.get(2).dataArea().getMinY() > first.getMaxY(), "third panel below the first");
    assertTrue(Math.abs(panels.get(2).dataArea().getMinX() - first.getMinX()) < 2, "third panel under the first");
  }

  @Test
  void theSameInputsGiveTheSameBytes() {
    byte[] a = DensityFigure.of(List.of(panel("pot1", Potentials.POT1))).render(600, 500).png();
    byte[] b = DensityFigure.of(List.of(panel("pot1", Potentials.POT1))).render(600, 500).png();
    assertArrayEquals(a, b);
    assertTrue(a.length > 1000 && a[1] == 'P' && a[2] == 'N' && a[3] == 'G');
  }

  @Test
  void sizesOutsideTheLimitsAreRefused() {
    Figure figure = DensityFigure.of(List.of(panel("pot1", Potentials.POT1)));
    assertThrows(IllegalArgumentException.class, () -> figure.render(Figure.MIN_SIZE - 1, 500));
    assertThrows(IllegalArgumentException.class, () -> figure.render(500, Figure.MAX_SIZE + 1));
    assertThrows(IllegalArgumentException.class, () -> DensityFigure.of(List.of()));
  }

  @Test
  void panelsArrangeInANearSquareGrid() {
    assertEquals(1, DensityFigure.columns(1));
    assertEquals(3, DensityFigure.columns(3));
    assertEquals(2, DensityFigure.columns(4));
    assertEquals(3, DensityFigure.columns(5));
    assertEquals(3, DensityFigure.columns(9));
  }
}
