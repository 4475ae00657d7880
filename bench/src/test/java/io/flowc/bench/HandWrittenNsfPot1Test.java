package io.flowc.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.bench.baseline.HandWrittenNsfPot1;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written W7 kernel's gradient is its loss's, and its blocks do not change a bit. */
class HandWrittenNsfPot1Test {

  private static double[] draws(Random random, int n) {
    double[] eps = new double[2 * n];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = 1.5 * random.nextGaussian();
    }
    return eps;
  }

  private static double[] randomTheta(Random random, int n) {
    double[] theta = new double[n];
    for (int i = 0; i < n; i++) {
      theta[i] = random.nextGaussian() * 0.7;
    }
    return theta;
  }

  @Test
  void gradientMatchesCentralDifferences() {
    Random random = new Random(7);
    HandWrittenNsfPot1 kernel = new HandWrittenNsfPot1(3, 5, 2, 4, 3.0, 3);
    double[] theta = randomTheta(random, kernel.parameterCount());
    double[] eps = draws(random, 7);
    double[] w = new double[kernel.workspaceSize()];
    double[] gradient = new double[theta.length];
    kernel.lossGradient(theta, eps, 7, gradient, w);
    double[] scratch = new double[theta.length];
    int checked = 0;
    for (int i = 0; i < theta.length; i++) {
      double h = 1e-6;
      double keep = theta[i];
      theta[i] = keep + h;
      double up = kernel.lossGradient(theta, eps, 7, scratch, w);
      theta[i] = keep - h;
      double down = kernel.lossGradient(theta, eps, 7, scratch, w);
      theta[i] = keep;
      double numeric = (up - down) / (2 * h);
      assertEquals(numeric, gradient[i], 1e-5 * Math.max(1, Math.abs(numeric)),
          kernel.elementNames().get(i));
      checked += gradient[i] != 0 ? 1 : 0;
    }
    // most weights move the loss: a gradient of zeros would pass the loop above only where FD is 0 too
    assertTrue(checked > theta.length / 2, "nonzero gradients: " + checked);
  }

  @Test
  void blockSizeChangesNoBit() {
    Random random = new Random(11);
    HandWrittenNsfPot1 one = new HandWrittenNsfPot1(3, 8, 2, 8, 5.0, 1);
    HandWrittenNsfPot1 blocked = new HandWrittenNsfPot1(3, 8, 2, 8, 5.0, 4);
    double[] theta = randomTheta(random, one.parameterCount());
    double[] eps = draws(random, 10);
    double[] g1 = new double[theta.length];
    double[] g2 = new double[theta.length];
    double l1 = one.lossGradient(theta, eps, 10, g1, new double[one.workspaceSize()]);
    double l2 = blocked.lossGradient(theta, eps, 10, g2, new double[blocked.workspaceSize()]);
    assertEquals(l1, l2, 0.0);
    assertArrayEquals(g1, g2, 0.0);
  }

  @Test
  void identityStartMapsEveryDrawToItself() {
    int bins = 8;
    HandWrittenNsfPot1 kernel = new HandWrittenNsfPot1(2, 6, 2, bins, 5.0, 4);
    Random random = new Random(3);
    double[] theta = randomTheta(random, kernel.parameterCount());
    var names = kernel.elementNames();
    for (int i = 0; i < theta.length; i++) {
      String name = names.get(i);
      if (name.contains(".out.weight")) {
        theta[i] = 0;
      } else if (name.contains(".out.bias")) {
        int p = Integer.parseInt(name.substring(name.indexOf('[') + 1, name.indexOf(']')));
        theta[i] = p < 2 * bins ? 0 : Math.log(Math.exp(1 - 1e-3) - 1);
      }
    }
    double[] eps = draws(random, 9);
    eps[0] = 5.0;
    eps[1] = -5.0;
    double[] z = new double[eps.length];
    double[] logq = new double[9];
    kernel.sample(theta, eps, 9, z, logq, new double[kernel.workspaceSize()]);
    for (int s = 0; s < 9; s++) {
      assertEquals(eps[2 * s], z[2 * s], 1e-12);
      assertEquals(eps[2 * s + 1], z[2 * s + 1], 1e-12);
      double base = -0.5 * (eps[2 * s] * eps[2 * s] + eps[2 * s + 1] * eps[2 * s + 1]) - Math.log(2 * Math.PI);
      assertEquals(base, logq[s], 1e-12);
    }
  }
}
