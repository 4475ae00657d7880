package io.flowc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.bench.baseline.HandWrittenNsfPot1;
import io.flowc.bench.baseline.HandWrittenPlanarPot1;
import io.flowc.bench.baseline.HandWrittenPlanarPot1Vector;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowLayout;
import java.util.Arrays;
import java.util.Collections;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vectorized hand-written kernels against the scalar ones they speed up, to rounding: their
 * sums over draws are lane partial sums reduced at the end, and the W1 kernel's tanh and log are
 * the Vector API's, so bits differ (their class comments say where). Odd draw counts leave
 * partial vectors and a partial block; a workspace filled with NaN must not matter.
 */
class HandWrittenVectorKernelsTest {
  private static final int[] DRAWS = {1, 3, 7, 9, 129};

  @Test
  void planarAgreesWithTheScalarKernel() {
    for (int flows : new int[] {1, 3, 8}) {
      FlowLayout layout = FlowLayout.of(Collections.nCopies(flows, FlowKind.PLANAR), 2);
      for (boolean vectorFunctions : new boolean[] {false, true}) {
        compare(new HandWrittenPlanarPot1(flows), new HandWrittenPlanarPot1Vector(flows, vectorFunctions),
            seed -> layout.initialParameters(1.0, seed), "planar*" + flows + (vectorFunctions ? ", vector tanh" : ""),
            1e-12);
      }
    }
  }

  @Test
  void nsfAgreesWithTheScalarKernel() {
    // hidden 6: a column left over after the four-column trips; blocks of 8 and of 128
    for (int block : new int[] {8, 128}) {
      HandWrittenNsfPot1 scalar = new HandWrittenNsfPot1(3, 6, 2, 5, 3.0, 4);
      HandWrittenNsfPot1 vector = new HandWrittenNsfPot1(3, 6, 2, 5, 3.0, block, true);
      compare(scalar, vector, seed -> {
        Random random = new Random(seed);
        double[] theta = new double[scalar.parameterCount()];
        for (int i = 0; i < theta.length; i++) {
          theta[i] = 0.7 * random.nextGaussian();
        }
        return theta;
      }, "nsf, blocks of " + block, 1e-11);
    }
  }

  private interface Start {
    double[] theta(long seed);
  }

  private static void compare(FlowKernel scalar, FlowKernel vector, Start start, String what, double tolerance) {
    Random random = new Random(what.hashCode());
    for (int draws : DRAWS) {
      double[] theta = start.theta(random.nextLong());
      double[] eps = new double[2 * draws];
      for (int i = 0; i < eps.length; i++) {
        eps[i] = 1.5 * random.nextGaussian();
      }
      double[] expected = new double[theta.length];
      double loss = scalar.lossGradient(theta, eps, draws, expected, new double[scalar.workspaceSize()]);
      double[] w = new double[vector.workspaceSize()];
      Arrays.fill(w, Double.NaN);
      double[] gradient = new double[theta.length];
      vector.lossGradient(theta, eps, draws, new double[theta.length], w);
      double actual = vector.lossGradient(theta, eps, draws, gradient, w);
      String at = what + ", " + draws + " draws";
      assertEquals(loss, actual, tolerance * Math.max(1, Math.abs(loss)), at + ": loss");
      double scale = Arrays.stream(expected).map(Math::abs).max().orElse(1);
      int nonzero = 0;
      for (int i = 0; i < theta.length; i++) {
        assertEquals(expected[i], gradient[i], tolerance * Math.max(1, scale), at + ": gradient " + i);
        nonzero += expected[i] != 0 ? 1 : 0;
      }
      assertTrue(nonzero > theta.length / 3, at + ": most of the gradient is nonzero");
    }
  }
}
