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

  /** PyMC3's flows draw exactly as before neural flows: one stream, jitter N(0,1) per element in theta order. */
  @Test
  void pyMc3FlowsDrawBitForBitAsBefore() {
    FlowLayout layout = FlowLayout.of(List.of(SCALE, PLANAR, RADIAL, HH, LOC), 3);
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    double[] expected = new double[layout.parameterCount()];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = 0.3 * random.nextGaussian();
    }
    assertArrayEquals(expected, layout.initialParameters(0.3, 7));
  }

  private static FlowLayout layout(String formula, int dimension) {
    return FlowFormulas.layout(formula, dimension);
  }

  @Test
  void couplingNetworksAreDenseAndNamedLikePyTorch() {
    // first coupling on d = 3: conditions on x_0, x_1, transforms x_2 with 3K - 1 = 5 spline values
    FlowLayout layout = layout("nsf(bins=2,hidden=4,layers=1)", 3);
    assertEquals(List.of("nsf_0.net.0.weight", "nsf_0.net.0.bias", "nsf_0.out.weight", "nsf_0.out.bias"), order(layout));
    assertEquals(new SlotShape.Matrix(4, 2), layout.slot(0, "net.0.weight").shape());
    assertEquals(new SlotShape.Matrix(5, 4), layout.slot(0, "out.weight").shape());
    assertEquals(4 * 2 + 4 + 5 * 4 + 5, layout.parameterCount());
    List<String> names = layout.elementNames();
    assertEquals("nsf_0.net.0.weight[0,0]", names.get(0));
    assertEquals("nsf_0.net.0.weight[3,1]", names.get(7));
    assertEquals("nsf_0.net.0.bias[3]", names.get(11));
    assertEquals("nsf_0.out.bias[4]", names.get(names.size() - 1));
    // the second coupling conditions on the other half: x_2 in, (x_0, x_1) out
    FlowLayout two = layout("realnvp(hidden=3,layers=2)*2", 3);
    assertEquals(new SlotShape.Matrix(3, 1), two.slot(1, "net.0.weight").shape());
    assertEquals(new SlotShape.Matrix(3, 3), two.slot(1, "net.1.weight").shape());
    assertEquals(new SlotShape.Matrix(4, 3), two.slot(1, "out.weight").shape());
    assertEquals(new SlotShape.Matrix(3, 2), two.slot(0, "net.0.weight").shape());
    assertEquals(new SlotShape.Matrix(2, 3), two.slot(0, "out.weight").shape());
    assertEquals("realnvp_1.net.0.weight", order(two).get(0));
  }

  /** MADE's masks (spec section 2) decide which weights exist; masked-out weights have no element. */
  @Test
  void madeWeightsOutsideTheMaskDoNotExist() {
    FlowLayout layout = layout("iaf(hidden=4,layers=1)*2", 3);
    // flow 0, order 1..3: input degrees 1,2,3; hidden degrees 1,2,1,2
    SlotShape.Masked first = (SlotShape.Masked) layout.slot(0, "net.0.weight").shape();
    assertArrayEquals(new int[] {0, 3, 4, 6, 9, 10}, first.positions());
    // outputs: shifts of x_0..x_2 then log-scales; x_0 sees nothing, x_1 the degree-1 units, x_2 all
    SlotShape.Masked out = (SlotShape.Masked) layout.slot(0, "out.weight").shape();
    assertArrayEquals(new int[] {4, 6, 8, 9, 10, 11, 16, 18, 20, 21, 22, 23}, out.positions());
    List<String> names = layout.elementNames();
    assertTrue(names.contains("iaf_0.out.weight[1,2]"));
    assertTrue(!names.contains("iaf_0.out.weight[0,0]") && !names.contains("iaf_0.out.weight[1,1]"));
    // flow 1 runs in the order 3..1: x_2 comes first and sees nothing
    SlotShape.Masked reversed = (SlotShape.Masked) layout.slot(1, "out.weight").shape();
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 6, 12, 13, 14, 15, 16, 18}, reversed.positions());
    assertEquals(2 * (6 + 4 + 12 + 6), layout.parameterCount());
    // d = 1: the hidden units see no input, so the first layer has no weights at all
    assertEquals(List.of("nsf_ar_0.net.0.bias", "nsf_ar_0.net.1.weight", "nsf_ar_0.net.1.bias", "nsf_ar_0.out.weight",
        "nsf_ar_0.out.bias"), order(layout("nsf_ar", 1)));
  }

  @Test
  void sylvesterHasTrianglesAndReflections() {
    FlowLayout layout = layout("sylvester(m=2)", 3);
    assertEquals(List.of("sylvester_0.b", "sylvester_0.r", "sylvester_0.r_tilde", "sylvester_0.rho",
        "sylvester_0.rho_tilde", "sylvester_0.v"), order(layout));
    assertArrayEquals(new int[] {1, 2, 5}, ((SlotShape.Masked) layout.slot(0, "r").shape()).positions());
    assertEquals(new SlotShape.Matrix(2, 3), layout.slot(0, "v").shape());
    assertEquals(3 + 3 + 3 + 3 + 3 + 6, layout.parameterCount());
    assertEquals(new SlotShape.Matrix(3, 3), layout("sylvester", 3).slot(0, "v").shape());
    assertEquals(List.of("sylvester_0.b", "sylvester_0.rho", "sylvester_0.rho_tilde", "sylvester_0.v"),
        order(layout("sylvester", 1)));
    assertEquals(0, layout("reverse-loc", 2).slot(1, "loc").offset());
    assertEquals(2, layout("reverse-loc", 2).parameterCount());
  }

  /** Spec section 1: identity start (output layer 0, spline derivatives 1), hidden layers uniform on +-1/sqrt(fan_in). */
  @Test
  void neuralFlowsStartAtTheIdentityWhateverTheJitter() {
    FlowLayout layout = layout("hh-nsf(bins=3,hidden=5)-iaf(hidden=4)-sylvester", 4);
    double[] theta = layout.initialParameters(1.0, 11);
    assertArrayEquals(theta, layout.initialParameters(1.0, 11));
    double[] noJitter = layout.initialParameters(0.0, 11);
    for (FlowLayout.Slot s : layout.slots()) {
      for (int t = 0; t < s.elementCount(); t++) {
        double x = theta[s.offset() + t];
        String name = s.qualifiedName() + s.shape().suffix(t);
        if (s.kind() == HH) {
          assertEquals(0.0, Math.abs(noJitter[s.offset() + t]), name);
          continue;
        }
        assertEquals(x, noJitter[s.offset() + t], name);
        if (s.parameter().equals("out.weight")) {
          assertEquals(0.0, x, name);
        } else if (s.parameter().equals("out.bias")) {
          boolean derivative = s.kind() == FlowKind.NSF && t % 8 >= 6;
          assertEquals(derivative ? Math.log(Math.expm1(1 - 1e-3)) : 0.0, x, 1e-15, name);
        } else if (s.parameter().startsWith("net.")) {
          int fanIn = s.parameter().startsWith("net.0") ? (s.kind() == FlowKind.NSF ? 2 : 4) : s.kind() == FlowKind.NSF ? 5 : 4;
          assertTrue(Math.abs(x) < 1 / Math.sqrt(fanIn) && x != 0, name + " = " + x);
        } else if (s.parameter().equals("v")) {
          assertTrue(Math.abs(x) < 0.5 && x != 0, name + " = " + x);
        } else {
          assertTrue(Math.abs(x) < 0.01 && x != 0, name + " = " + x);
        }
      }
    }
  }

  @Test
  void theRuntimeReaderRefusesWhatIsNotAFormula() {
    for (String bad : List.of("nsf(bins=1)", "planar(hidden=2)", "nsf(bins=4", "nsf(bins=4,bins=4)", "iaf*0", "x",
        "nsf(hidden)", "realnvp*1001")) {
      org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> FlowFormulas.flows(bad), bad);
    }
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> layout("realnvp", 1));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> layout("iaf(hidden=2)", 4));
  }
}
