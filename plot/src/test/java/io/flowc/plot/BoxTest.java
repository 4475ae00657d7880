package io.flowc.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BoxTest {
  @Test
  void thePreferredBoxIsKeptWhileItHoldsTheDraws() {
    double[][] ring = Potentials.ringDraws(1000, 3);
    assertSame(Box.NOTEBOOK, Box.preferring(Box.NOTEBOOK, Columns.column(ring, 0), Columns.column(ring, 1)));
  }

  @Test
  void drawsElsewhereGetABoxAroundThem() {
    double[][] far = Potentials.normalDraws(1000, 2, 50, 4);
    Box box = Box.preferring(Box.NOTEBOOK, Columns.column(far, 0), Columns.column(far, 1));
    assertTrue(box.xMin() > 40 && box.xMax() < 60 && box.yMin() > 40 && box.yMax() < 60, box.toString());
    assertTrue(box.fractionInside(Columns.column(far, 0), Columns.column(far, 1)) > 0.99);
  }

  @Test
  void longTailsWidenThePreferredBox() {
    double[][] wide = Potentials.normalDraws(1000, 2, 0, 6);
    for (double[] row : wide) {
      row[0] *= 4;
      row[1] *= 0.5;
    }
    Box box = Box.preferring(Box.NOTEBOOK, Columns.column(wide, 0), Columns.column(wide, 1));
    assertTrue(box.xMin() < -8 && box.xMax() > 8, box.toString());
    assertEquals(-4, box.yMin());
    assertEquals(4, box.yMax());
  }

  @Test
  void oneFarOutlierDoesNotStretchTheBox() {
    double[][] draws = Potentials.normalDraws(1000, 2, 0, 5);
    draws[17] = new double[] {1e6, -1e6};
    Box box = Box.around(Columns.column(draws, 0), Columns.column(draws, 1));
    assertTrue(box.xMax() < 10 && box.yMin() > -10, box.toString());
  }

  @Test
  void quantilesInterpolateLikeNumpy() {
    double[] v = {1, 2, 3, 4};
    assertEquals(1, Box.quantile(v, 0));
    assertEquals(2.5, Box.quantile(v, 0.5));
    assertEquals(4, Box.quantile(v, 1));
  }

  @Test
  void emptyOrInvertedBoxesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Box(1, 1, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new Box(0, 1, 2, 1));
    assertThrows(IllegalArgumentException.class, () -> new Box(0, Double.NaN, 0, 1));
  }
}
