package io.flowc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import java.util.Arrays;
import java.util.Random;

/** Two kernels of one flow compared bit for bit: loss, gradient, z and log q. */
public final class SameBits {
  private SameBits() {}

  /**
   * For each draw count, at a point near the layout's start (perturbed so that neural flows are
   * away from the identity) and base draws, both from {@code seed}: {@code actual} gives
   * {@code expected}'s bits.
   */
  public static void assertSameFlow(FlowKernel expected, FlowKernel actual, FlowLayout layout, int[] drawCounts,
      long seed, String what) {
    Random random = new Random(seed);
    int d = layout.dimension();
    for (int draws : drawCounts) {
      double[] theta = nearStart(layout, random);
      double[] eps = normals(draws * d, random);
      String at = what + ", " + draws + " draws";
      double[] ge = new double[theta.length];
      double[] ga = new double[theta.length];
      double le = expected.lossGradient(theta, eps, draws, ge, new double[expected.workspaceSize()]);
      double la = actual.lossGradient(theta, eps, draws, ga, new double[actual.workspaceSize()]);
      assertEquals(Double.doubleToLongBits(le), Double.doubleToLongBits(la), at + ": loss");
      for (int i = 0; i < theta.length; i++) {
        assertEquals(Double.doubleToLongBits(ge[i]), Double.doubleToLongBits(ga[i]), at + ": " + layout.elementNames().get(i));
      }
      double[] ze = new double[draws * d];
      double[] za = new double[draws * d];
      double[] qe = new double[draws];
      double[] qa = new double[draws];
      expected.sample(theta, eps, draws, ze, qe, new double[expected.workspaceSize()]);
      actual.sample(theta, eps, draws, za, qa, new double[actual.workspaceSize()]);
      assertEquals(Arrays.toString(ze), Arrays.toString(za), at + ": z");
      assertEquals(Arrays.toString(qe), Arrays.toString(qa), at + ": log q");
    }
  }

  /** The layout's start perturbed by 0.3 N(0, 1) an element: neural flows away from the identity, so every weight matters. */
  public static double[] nearStart(FlowLayout layout, Random random) {
    double[] theta = layout.initialParameters(0.5, random.nextLong());
    for (int i = 0; i < theta.length; i++) {
      theta[i] += 0.3 * random.nextGaussian();
    }
    return theta;
  }

  /** {@code n} standard normals. */
  public static double[] normals(int n, Random random) {
    double[] eps = new double[n];
    for (int i = 0; i < n; i++) {
      eps[i] = random.nextGaussian();
    }
    return eps;
  }
}
