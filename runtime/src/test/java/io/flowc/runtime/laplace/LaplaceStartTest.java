package io.flowc.runtime.laplace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flowc.runtime.MathFunctions;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The flows the Laplace start sets carry the approximation: the Gaussian q they imply at the start
 * (z = loc + H_k .. H_1 (softplus(rho) z0)) has the mode as its mean and Sigma as its covariance,
 * whatever the other reflections' values; formulas without a place for it are refused.
 */
class LaplaceStartTest {
  static final double[] MODE = LaplaceApproximationTest.MEAN;
  static final LaplaceApproximation LAPLACE = new LaplaceApproximation(MODE, LaplaceApproximationTest.COVARIANCE,
      0, 0);

  static FlowLayout layout(int reflections, boolean scale) {
    List<FlowKind> flows = new ArrayList<>();
    flows.add(FlowKind.PLANAR);
    if (scale) {
      flows.add(FlowKind.SCALE);
    }
    flows.addAll(Collections.nCopies(reflections, FlowKind.HH));
    flows.add(FlowKind.LOC);
    return FlowLayout.of(flows, MODE.length);
  }

  /** A = H_k .. H_1 diag(softplus(rho)) read off theta, and A A^T. */
  static double[][] impliedCovariance(FlowLayout layout, double[] theta, int reflections) {
    int d = layout.dimension();
    FlowLayout.Slot rho = layout.slot(1, "rho");
    double[][] a = new double[d][d];
    for (int c = 0; c < d; c++) {
      double[] z = new double[d];
      z[c] = MathFunctions.softplus(theta[rho.offset() + c]);
      for (int k = 0; k < reflections; k++) {
        FlowLayout.Slot v = layout.slot(2 + k, "v");
        double[] vector = new double[d];
        System.arraycopy(theta, v.offset(), vector, 0, d);
        Householders.apply(vector, z);
      }
      for (int i = 0; i < d; i++) {
        a[i][c] = z[i];
      }
    }
    double[][] sigma = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        for (int k = 0; k < d; k++) {
          sigma[i][j] += a[i][k] * a[j][k];
        }
      }
    }
    return sigma;
  }

  static double[] loc(FlowLayout layout, double[] theta) {
    FlowLayout.Slot loc = layout.slot(layout.flows().size() - 1, "loc");
    double[] v = new double[layout.dimension()];
    System.arraycopy(theta, loc.offset(), v, 0, v.length);
    return v;
  }

  @Test
  void householdersAndScaleCarryTheCovariance() {
    int d = MODE.length;
    for (int k : new int[] {d - 1, d, d + 3}) {
      FlowLayout layout = layout(k, true);
      LaplaceStart start = LaplaceStart.of(layout, "planar-scale-hh*" + k + "-loc");
      assertEquals("scale-hh*" + k + "-loc", start.tail());
      // the reflections not solved for start anywhere (jitter 1), without noise on the solved ones
      double[] usual = layout.initialParameters(1.0, 7);
      double[] theta = start.place(LAPLACE, usual, new double[usual.length]);
      assertArrayEquals(MODE, loc(layout, theta), 0.0);
      double[][] sigma = impliedCovariance(layout, theta, k);
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < d; j++) {
          double[][] c = LaplaceApproximationTest.COVARIANCE;
          // hh's 1e-10 in its denominator changes each reflection by 2e-10 relative: errors of that
          // order times the largest sd (9) times the entry's own sds
          double tolerance = 1e-9 * 9 * (Math.sqrt(c[i][i]) + Math.sqrt(c[j][j]));
          assertEquals(c[i][j], sigma[i][j], tolerance, "k " + k + " [" + i + "][" + j + "]");
        }
      }
      FlowLayout.Slot planar = layout.slot(0, "u");
      assertEquals(usual[planar.offset()], theta[planar.offset()], 0.0, "other flows keep their start");
    }
  }

  @Test
  void jitterIsAddedToTheElementsSet() {
    FlowLayout layout = layout(MODE.length, true);
    LaplaceStart start = LaplaceStart.of(layout, "f");
    double[] exact = start.parameters(LAPLACE, 0.0, 3);
    double[] jittered = start.parameters(LAPLACE, 0.5, 3);
    double[] draws = layout.initialParameters(0.5, 3);
    FlowLayout.Slot loc = layout.slot(layout.flows().size() - 1, "loc");
    for (int i = 0; i < MODE.length; i++) {
      assertEquals(MODE[i] + draws[loc.offset() + i], jittered[loc.offset() + i], 1e-12);
      assertEquals(MODE[i], exact[loc.offset() + i], 0.0);
    }
  }

  @Test
  void scaleAndLocTakeTheMarginalSds() {
    FlowLayout layout = layout(0, true);
    LaplaceStart start = LaplaceStart.of(layout, "planar-scale-loc");
    assertEquals("scale-loc", start.tail());
    double[] theta = start.parameters(LAPLACE, 0.0, 1);
    FlowLayout.Slot rho = layout.slot(1, "rho");
    for (int i = 0; i < MODE.length; i++) {
      double sd = Math.sqrt(LaplaceApproximationTest.COVARIANCE[i][i]);
      assertEquals(sd, MathFunctions.softplus(theta[rho.offset() + i]), 1e-12 * sd);
    }
    assertArrayEquals(MODE, loc(layout, theta), 0.0);
  }

  @Test
  void locAloneTakesTheMode() {
    FlowLayout layout = layout(2, false);
    LaplaceStart start = LaplaceStart.of(layout, "planar-hh*2-loc");
    assertEquals("loc", start.tail());
    double[] theta = start.parameters(LAPLACE, 0.0, 1);
    assertArrayEquals(MODE, loc(layout, theta), 0.0);
    assertArrayEquals(layout.initialParameters(0.0, 1), theta.clone().length == 0 ? null : withoutLoc(layout, theta),
        0.0);
  }

  private static double[] withoutLoc(FlowLayout layout, double[] theta) {
    double[] t = theta.clone();
    FlowLayout.Slot loc = layout.slot(layout.flows().size() - 1, "loc");
    java.util.Arrays.fill(t, loc.offset(), loc.offset() + layout.dimension(), 0.0);
    return t;
  }

  @Test
  void inverseSoftplusOverScales() {
    for (double s : new double[] {1e-6, 0.01, 0.693, 1, 20, 31, 500}) {
      double rho = LaplaceStart.inverseSoftplus(new double[] {s})[0];
      assertEquals(s, MathFunctions.softplus(rho), 1e-13 * s, "s " + s);
    }
  }

  @Test
  void formulasWithoutAPlaceForTheGaussianAreRefused() {
    LaplaceException notLoc = assertThrows(LaplaceException.class,
        () -> LaplaceStart.of(FlowLayout.of(List.of(FlowKind.SCALE, FlowKind.PLANAR), 4), "scale-planar"));
    assertEquals("the formula must end in loc, scale-loc or scale-hh*k-loc, the flows that take the Gaussian, "
        + "not scale-planar", notLoc.getMessage());
    LaplaceException few = assertThrows(LaplaceException.class,
        () -> LaplaceStart.of(layout(2, true), "planar-scale-hh*2-loc"));
    assertEquals("planar-scale-hh*2-loc ends in scale-hh*2-loc, and a covariance of 4 parameters needs at least 3 "
        + "reflections (d - 1)", few.getMessage());
  }
}
