package io.flowc.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.calibration.Calibration;
import io.flowc.runtime.calibration.EcdfBand;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RankFigureTest {
  /** 400 ranks on 0 .. 99: uniform, or piled at both ends. */
  private static Calibration element(String name, boolean uShape, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] ranks = new int[400];
    for (int i = 0; i < ranks.length; i++) {
      ranks[i] = !uShape ? random.nextInt(100) : i % 2 == 0 ? random.nextInt(10) : 99 - random.nextInt(10);
    }
    return Calibration.of(name, ranks, 99, EcdfBand.of(400, 99));
  }

  @Test
  void eachElementHasAPanelTitledWithItsTest() {
    RenderedFigure r = RankFigure.of("SBC", null, List.of(element("mu", false, 1), element("tau", true, 2)))
        .render(1200, 600);
    assertEquals(2, r.panels().size());
    assertTrue(r.panels().get(0).title().startsWith("mu  p = 0."), r.panels().get(0).title());
    assertTrue(r.panels().get(1).title().endsWith("over-confident"), r.panels().get(1).title());
    // ranks 0 .. 99 on x; 400 ranks in 20 bins expect 20 each
    assertEquals(0, r.panels().get(0).x().getLowerBound(), 1e-9);
    assertEquals(100, r.panels().get(0).x().getUpperBound(), 1e-9);
    // in the middle of tau's panel no rank: there the band is drawn, grey, above the empty bin
    RenderedFigure.Panel tau = r.panels().get(1);
    java.awt.geom.Point2D inBand = tau.toPixel(52, 20);
    int rgb = r.image().getRGB((int) inBand.getX(), (int) inBand.getY());
    int red = (rgb >> 16) & 0xff;
    assertTrue(red == (rgb & 0xff) && red == ((rgb >> 8) & 0xff) && red < 230, "grey: " + Integer.toHexString(rgb));
    // above the band, white
    java.awt.geom.Point2D above = tau.toPixel(53, 77);
    assertEquals(0xffffff, r.image().getRGB((int) above.getX(), (int) above.getY()) & 0xffffff);
    // and at the first bin the bar, blue, rises above the band (40 % of 400 ranks in 5 % of the range)
    java.awt.geom.Point2D inBar = tau.toPixel(2.5, 100);
    int bar = r.image().getRGB((int) inBar.getX(), (int) inBar.getY());
    assertTrue((bar & 0xff) > ((bar >> 16) & 0xff) + 60, "blue bar: " + Integer.toHexString(bar));
  }

  @Test
  void manyElementsShowTheFirstSixteenWithANote() {
    List<Calibration> elements = new ArrayList<>();
    for (int j = 0; j < 20; j++) {
      elements.add(element("theta[" + j + "]", false, j));
    }
    Figure figure = RankFigure.of("SBC", null, elements);
    assertEquals(16, figure.panelCount());
    assertEquals("the first 16 of 20 elements", figure.note());
    assertThrows(IllegalArgumentException.class, () -> RankFigure.of("SBC", null, List.of()));
  }
}
