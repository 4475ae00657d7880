package io.flowc.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.Point2D;
import java.util.List;
import org.junit.jupiter.api.Test;

class NutsAndCompareFigureTest {
  private static final List<String> Z = List.of("z[0]", "z[1]");

  private static double[][][] twoChains() {
    return new double[][][] {Potentials.normalDraws(500, 2, -2, 1), Potentials.normalDraws(500, 2, 2, 2)};
  }

  @Test
  void nutsShowsATracePerElementAndTheJointScatter() {
    RenderedFigure r = NutsFigure.of("pot4 NUTS", "2 chains", Z, twoChains()).render(1200, 900);
    assertEquals(3, r.panels().size());
    assertEquals("Trace of z[0]", r.panels().get(0).title());
    assertEquals("Trace of z[1]", r.panels().get(1).title());
    assertEquals("Joint draws", r.panels().get(2).title());
    // draws on x of the traces, both chains' values on y
    assertEquals(499, r.panels().get(0).x().getUpperBound(), 30);
    assertTrue(r.panels().get(0).y().contains(-2) && r.panels().get(0).y().contains(2));
    // one colour per chain: near each chain's centre the scatter is that chain's colour
    RenderedFigure.Panel joint = r.panels().get(2);
    assertTrue(dominant(r, joint.toPixel(-2, -2), Palette.series(0)), "chain 0 near (-2, -2)");
    assertTrue(dominant(r, joint.toPixel(2, 2), Palette.series(1)), "chain 1 near (2, 2)");
  }

  /** Whether the 9 x 9 pixels around p lean to the hue of {@code colour} (more blue than red, or the reverse). */
  private static boolean dominant(RenderedFigure r, Point2D p, java.awt.Color colour) {
    long red = 0;
    long blue = 0;
    for (int dy = -4; dy <= 4; dy++) {
      for (int dx = -4; dx <= 4; dx++) {
        int rgb = r.image().getRGB((int) p.getX() + dx, (int) p.getY() + dy);
        red += (rgb >> 16) & 0xff;
        blue += rgb & 0xff;
      }
    }
    boolean blueish = colour.getBlue() > colour.getRed();
    return blueish ? blue > red + 81 * 20 : red > blue + 81 * 20;
  }

  @Test
  void manyElementsShowTheFirstFourTracesWithANote() {
    double[][][] chains = {Potentials.normalDraws(100, 7, 0, 1)};
    List<String> names = List.of("a", "b", "c", "d", "e", "f", "g");
    Figure figure = NutsFigure.of("t", null, names, chains);
    assertEquals(5, figure.panelCount());
    assertEquals("traces of the first 4 of 7 elements", figure.note());
    assertEquals(2, NutsFigure.of("t", null, List.of("a"), new double[][][] {Potentials.normalDraws(100, 1, 0, 1)})
        .panelCount());
    assertThrows(IllegalArgumentException.class, () -> NutsFigure.of("t", null, Z,
        new double[][][] {Potentials.normalDraws(10, 2, 0, 1), Potentials.normalDraws(10, 3, 0, 1)}));
  }

  @Test
  void compareDrawsTargetNutsAndFlowOnTheSameAxes() {
    DensityGrid grid = DensityGrid.of(Potentials.POT1, Box.NOTEBOOK, 100);
    RenderedFigure r = CompareFigure.of("pot1", null, grid, Z, Potentials.ringDraws(1000, 1),
        Potentials.ringDraws(1000, 2)).render(1500, 600);
    assertEquals(List.of("Target exp(-U)", "NUTS (1000 draws)", "Flow (1000 draws)"),
        r.panels().stream().map(RenderedFigure.Panel::title).toList());
    for (RenderedFigure.Panel p : r.panels()) {
      assertEquals(r.panels().get(0).x(), p.x());
      assertEquals(r.panels().get(0).y(), p.y());
      assertEquals(r.panels().get(0).dataArea().getWidth(), p.dataArea().getWidth(), 1.5);
      assertEquals(r.panels().get(0).dataArea().getHeight(), p.dataArea().getHeight(), 1.5);
    }
    assertTrue(Pixels.greyVariance(r.image()) > 500);
  }

  @Test
  void compareAboveTwoDimensionsShowsTheFirstTwoInOneWindow() {
    Figure figure = CompareFigure.of("t", null, null, List.of("a", "b", "c"), Potentials.normalDraws(200, 3, 0, 1),
        Potentials.normalDraws(200, 3, 5, 2));
    assertEquals("the first two of 3 elements", figure.note());
    RenderedFigure r = figure.render(900, 450);
    assertEquals(2, r.panels().size());
    assertEquals(r.panels().get(0).x(), r.panels().get(1).x());
    assertTrue(r.panels().get(0).x().contains(0) && r.panels().get(0).x().contains(5));
  }

  @Test
  void aVeryWideWindowStillGetsAReadablePanel() {
    DensityGrid grid = DensityGrid.of(Potentials.POT2, new Box(-30, 30, -3, 3), 100);
    RenderedFigure r = CompareFigure.of("wide", null, grid, Z, Potentials.normalDraws(100, 2, 0, 1),
        Potentials.normalDraws(100, 2, 0, 2)).render(1500, 600);
    for (RenderedFigure.Panel p : r.panels()) {
      assertEquals(Figure.MAX_ASPECT, p.dataArea().getWidth() / p.dataArea().getHeight(), 0.05);
    }
  }

  @Test
  void nutsFiguresAreDeterministic() {
    assertArrayEquals(NutsFigure.of("t", null, Z, twoChains()).render(600, 400).png(),
        NutsFigure.of("t", null, Z, twoChains()).render(600, 400).png());
  }
}
