package io.flowc.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FitFigureTest {
  private static final List<String> Z = List.of("z[0]", "z[1]");

  private static List<String> names(int d) {
    return IntStream.range(0, d).mapToObj(i -> "z[" + i + "]").toList();
  }

  @Test
  void twoDimensionalFitsShowTheirDrawsOverTheDensityAndTheLossBeside() {
    DensityGrid grid = DensityGrid.of(Potentials.POT1, Box.NOTEBOOK, 100);
    double[][] draws = Potentials.ringDraws(300, 1);
    RenderedFigure r = FitFigure.of("pot1", "300 draws", grid, Z, draws, Potentials.history(2000, 2)).render(1200, 900);
    assertEquals(2, r.panels().size());
    RenderedFigure.Panel density = r.panels().get(0);
    RenderedFigure.Panel loss = r.panels().get(1);
    assertTrue(loss.dataArea().getMinX() > density.dataArea().getMaxX(), "the loss is right of the draws");
    assertEquals(-4, density.x().getLowerBound());
    assertEquals(4, density.y().getUpperBound());
    // the draws show over the density: the pixel at each draw has a colour no band has
    BufferedImage image = r.image();
    int shown = 0;
    for (double[] d : draws) {
      Point2D p = density.toPixel(d[0], d[1]);
      shown += isBand(image.getRGB((int) p.getX(), (int) p.getY())) ? 0 : 1;
    }
    assertTrue(shown > 290, shown + " of 300 draws show");
    // and away from the draws the bands are untouched
    Point2D centre = density.toPixel(0, 0);
    assertTrue(isBand(image.getRGB((int) centre.getX(), (int) centre.getY())));
    assertTrue(Pixels.greyVariance(image) > 500);
  }

  private static boolean isBand(int rgb) {
    for (int k = 0; k < Palette.bands(); k++) {
      if ((Palette.band(k).getRGB() & 0xffffff) == (rgb & 0xffffff)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void theLossAxisLeavesOutTheFirstHugeLosses() {
    double[] history = Potentials.history(1000, 3);
    history[0] = 1e6;
    history[1] = Double.NaN;
    RenderedFigure.Panel loss = FitFigure.of("t", null, DensityGrid.of(Potentials.POT1, Box.NOTEBOOK, 50), Z,
        Potentials.ringDraws(50, 1), history).render(900, 600).panels().get(1);
    assertTrue(loss.y().getUpperBound() < 20, loss.y().toString());
    assertTrue(loss.y().getLowerBound() < -2, loss.y().toString());
  }

  @Test
  void modelsAboveTwoDimensionsShowPairsOfTheFirstFourElements() {
    Figure figure = FitFigure.of("normal100", "500 draws", null, names(100), Potentials.normalDraws(500, 100, 0, 4),
        Potentials.history(500, 5));
    assertEquals(7, figure.panelCount()); // 6 pairs and the loss
    assertEquals("500 draws; pairs of the first 4 of 100 elements", figure.note());
    assertEquals(4, FitFigure.of("t", null, null, names(3), Potentials.normalDraws(50, 3, 0, 4),
        Potentials.history(50, 5)).panelCount());
    assertEquals(2, FitFigure.of("t", null, null, names(2), Potentials.normalDraws(50, 2, 0, 4),
        Potentials.history(50, 5)).panelCount());
  }

  @Test
  void oneDimensionalFitsShowAHistogram() {
    RenderedFigure r = FitFigure.of("t", null, null, names(1), Potentials.normalDraws(400, 1, 3, 6),
        Potentials.history(100, 5)).render(800, 600);
    assertEquals(2, r.panels().size());
    // the histogram's axis covers the draws around 3
    assertTrue(r.panels().get(0).x().contains(3), r.panels().get(0).x().toString());
  }

  @Test
  void sameInputsSameBytes() {
    DensityGrid grid = DensityGrid.of(Potentials.POT1, Box.NOTEBOOK, 80);
    byte[] a = FitFigure.of("pot1", null, grid, Z, Potentials.ringDraws(200, 1), Potentials.history(300, 2))
        .render(700, 500).png();
    byte[] b = FitFigure.of("pot1", null, grid, Z, Potentials.ringDraws(200, 1), Potentials.history(300, 2))
        .render(700, 500).png();
    assertArrayEquals(a, b);
  }

  @Test
  void inconsistentInputsAreRefused() {
    DensityGrid grid = DensityGrid.of(Potentials.POT1, Box.NOTEBOOK, 20);
    assertThrows(IllegalArgumentException.class, () -> FitFigure.of("t", null, grid, names(3),
        Potentials.normalDraws(10, 3, 0, 1), new double[5]));
    assertThrows(IllegalArgumentException.class, () -> FitFigure.of("t", null, null, names(2),
        Potentials.normalDraws(10, 3, 0, 1), new double[5]));
    assertThrows(IllegalArgumentException.class, () -> FitFigure.of("t", null, null, names(2), new double[0][],
        new double[5]));
  }

  @Test
  void theRunningMeanSkipsNonFiniteLosses() {
    double[] mean = LossChart.runningMean(new double[] {1, 3, Double.NaN, 5, 7}, 2);
    assertArrayEquals(new double[] {1, 2, 3, 5, 6}, mean, 1e-12);
  }
}
