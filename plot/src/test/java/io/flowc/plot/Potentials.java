package io.flowc.plot;

import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;

/** The notebook's potentials as plain Java log densities, and synthetic draws for figures. */
final class Potentials {
  private Potentials() {}

  /** log p = -pot1: a ring of radius 2 with two lobes at z[0] = +-2. */
  static final DoubleBinaryOperator POT1 = (x, y) -> {
    double r = Math.hypot(x, y);
    double a = -0.5 * Math.pow((x - 2) / 0.6, 2);
    double b = -0.5 * Math.pow((x + 2) / 0.6, 2);
    double max = Math.max(a, b);
    return -0.5 * Math.pow((r - 2) / 0.4, 2) + max + Math.log(Math.exp(a - max) + Math.exp(b - max));
  };

  /** log p = -pot2: a sine-shaped ridge. */
  static final DoubleBinaryOperator POT2 = (x, y) ->
      -0.5 * Math.pow((y - Math.sin(2 * Math.PI * x / 4)) / 0.4, 2) - 0.1 * Math.abs(x);

  /** n draws near the ring of radius 2 (normal noise of sd 0.2 on the radius). */
  static double[][] ringDraws(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] draws = new double[n][];
    for (int s = 0; s < n; s++) {
      double angle = random.nextDouble(2 * Math.PI);
      double r = 2 + 0.2 * gaussian(random);
      draws[s] = new double[] {r * Math.cos(angle), r * Math.sin(angle)};
    }
    return draws;
  }

  /** n draws of d independent standard normals shifted by {@code shift}. */
  static double[][] normalDraws(int n, int d, double shift, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] draws = new double[n][d];
    for (double[] row : draws) {
      for (int j = 0; j < d; j++) {
        row[j] = shift + gaussian(random);
      }
    }
    return draws;
  }

  /** A loss history falling from 10 to about -1.8, with noise. */
  static double[] history(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] h = new double[n];
    for (int i = 0; i < n; i++) {
      h[i] = -1.8 + 12 * Math.exp(-i / (0.1 * n)) + 0.3 * gaussian(random);
    }
    return h;
  }

  static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
