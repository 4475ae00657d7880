package io.flowc.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrackerFigureTest {
  private record Tracked(List<String> names, int[] iterations, double[][] values, double[][] gradients) {}

  private static Tracked tracked(int parameters, int steps) {
    int[] it = new int[steps];
    double[][] v = new double[steps][parameters];
    double[][] g = new double[steps][parameters];
    for (int k = 0; k < steps; k++) {
      it[k] = 100 * (k + 1);
      for (int p = 0; p < parameters; p++) {
        v[k][p] = Math.sin(0.1 * k + p);
        g[k][p] = p == 0 ? 1 : Math.cos(0.3 * k * p);
      }
    }
    return new Tracked(IntStream.range(0, parameters).mapToObj(p -> "planar_0.u[" + p + "]").toList(), it, v, g);
  }

  @Test
  void everyParameterGetsItsTraceAndItsGradient() {
    Tracked t = tracked(10, 30);
    Figure figure = TrackerFigure.of("planar*2", "every 100 iterations", t.names(), t.iterations(), t.values(),
        t.gradients(), TrackerFigure.DEFAULT_MAX_PARAMETERS);
    assertEquals("every 100 iterations", figure.note());
    RenderedFigure r = figure.render(1200, 900);
    assertEquals(20, r.panels().size());
    assertEquals("planar_0.u[0]", r.panels().get(0).title());
    assertEquals("grad planar_0.u[0]", r.panels().get(1).title());
    // iterations on x
    assertTrue(r.panels().get(0).x().getLowerBound() >= 0 && r.panels().get(0).x().getLowerBound() <= 100);
    assertEquals(3000, r.panels().get(0).x().getUpperBound(), 200);
    // a constant gradient still gets a readable range around it
    assertTrue(r.panels().get(1).y().contains(1) && r.panels().get(1).y().getLength() >= 0.5);
    assertTrue(Pixels.greyVariance(r.image()) > 200);
  }

  @Test
  void manyParametersShowTheFirstOnesWithANote() {
    Tracked t = tracked(40, 10);
    Figure figure = TrackerFigure.of("planar*8", null, t.names(), t.iterations(), t.values(), t.gradients(), 12);
    assertEquals(24, figure.panelCount());
    assertEquals("the first 12 of 40 parameters", figure.note());
    assertNull(TrackerFigure.of("t", null, t.names().subList(0, 2), t.iterations(), t.values(), t.gradients(), 12)
        .note());
  }

  @Test
  void emptyOrMismatchedTracksAreRefused() {
    Tracked t = tracked(3, 5);
    assertThrows(IllegalArgumentException.class, () -> TrackerFigure.of("t", null, t.names(), new int[0],
        new double[0][], new double[0][], 12));
    assertThrows(IllegalArgumentException.class, () -> TrackerFigure.of("t", null, t.names(), new int[4], t.values(),
        t.gradients(), 12));
  }
}
