package io.flowc.runtime.flow;

import static io.flowc.runtime.flow.FlowKind.HH;
import static io.flowc.runtime.flow.FlowKind.LOC;
import static io.flowc.runtime.flow.FlowKind.PLANAR;
import static io.flowc.runtime.flow.FlowKind.RADIAL;
import static io.flowc.runtime.flow.FlowKind.SCALE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FlowLayoutTest {

  private static List<String> order(FlowLayout layout) {
    return layout.slots().stream().map(FlowLayout.Slot::qualifiedName).toList();
  }

  /** PyMC3's approx.params: the last flow first, parameters sorted by name inside a flow. */
  @Test
  void parametersFollowPyMc3sOrder() {
    assertEquals(List.of("planar_1.b", "planar_1.u", "planar_1.w", "planar_0.b", "planar_0.u", "planar_0.w"),
        order(FlowLayout.of(List.of(PLANAR, PLANAR), 2)));
    assertEquals(List.of("loc_3.loc", "hh_2.v", "hh_1.v", "scale_0.rho"),
        order(FlowLayout.of(List.of(SCALE, HH, HH, LOC), 2)));
    assertEquals(List.of("radial_0.a", "radial_0.b", "radial_0.z_ref"), order(FlowLayout.of(List.of(RADIAL), 3)));
  }

  @Test
  void sizesOffsetsAndElementNames() {
    FlowLayout layout = FlowLayout.of(List.of(RADIAL, PLANAR), 2);
    assertEquals(2 * 2 + 1 + 2 + 2, layout.parameterCount());
    assertEquals(List.of("planar_1.b", "planar_1.u[0]", "planar_1.u[1]", "planar_1.w[0]", "planar_1.w[1]",
        "radial_0.a", "radial_0.b", "radial_0.z_ref[0]", "radial_0.z_ref[1]"), layout.elementNames());
    assertEquals(5, layout.slot(0, "a").offset());
    assertEquals(7, layout.slot(0, "z_ref").offset());
    assertEquals(0, layout.slot(1, "b").size());
  }

  @Test
  void initialisationIsJitterTimesStandardNormalAndDeterministic() {
    FlowLayout layout = FlowLayout.of(List.of(SCALE, HH, LOC), 1000);
    double[] one = layout.initialParameters(1.0, 42);
    assertArrayEquals(one, layout.initialParameters(1.0, 42));
    double[] tenth = layout.initialParameters(0.1, 42);
    for (int i = 0; i < one.length; i++) {
      assertEquals(0.1 * one[i], tenth[i], 1e-15);
    }
    double mean = 0;
    double square = 0;
    for (double x : one) {
      mean += x / one.length;
      square += x * x / one.length;
    }
    // 3000 standard normal draws: mean within 4 standard errors of 0, variance within 4 of 1
    assertTrue(Math.abs(mean) < 4 / Math.sqrt(one.length), "mean " + mean);
    assertTrue(Math.abs(square - 1) < 4 * Math.sqrt(2.0 / one.length), "second moment " + square);
    assertTrue(layout.initialParameters(1.0, 43)[0] != one[0]);
  }
}
