package io.flowc.compiler.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleBinaryOperator;
import java.util.function.ToDoubleFunction;

/** Oracles the compiled code does not share: central differences of a log density, and its integral. */
public final class CentralDifferences {
  private CentralDifferences() {}

  /**
   * Every element of {@code gradient} (at {@code z}) within {@code relative * max(1, |d|)} of the
   * central difference d of {@code logp} with step {@code h}; {@code where} names the point in a failure.
   */
  public static void assertGradient(double[] gradient, ToDoubleFunction<double[]> logp, double[] z, double h,
      double relative, String where) {
    for (int i = 0; i < z.length; i++) {
      double[] up = z.clone();
      double[] down = z.clone();
      up[i] += h;
      down[i] -= h;
      double difference = (logp.applyAsDouble(up) - logp.applyAsDouble(down)) / (2 * h);
      double g = gradient[i];
      int element = i;
      assertTrue(Math.abs(difference - g) <= relative * Math.max(1, Math.abs(difference)),
          () -> "element " + element + " at " + where + ": gradient " + g + ", central difference " + difference);
    }
  }

  /**
   * The trapezoid rule for the integral of exp(logp(x, y)) over {@code [x0, x0 + nx h] x [y0, y0 + ny h]}.
   */
  public static double integralOfExp(DoubleBinaryOperator logp, double x0, int nx, double y0, int ny, double h) {
    double sum = 0;
    for (int i = 0; i <= nx; i++) {
      for (int j = 0; j <= ny; j++) {
        double w = (i == 0 || i == nx ? 0.5 : 1) * (j == 0 || j == ny ? 0.5 : 1);
        sum += w * Math.exp(logp.applyAsDouble(x0 + i * h, y0 + j * h));
      }
    }
    return sum * h * h;
  }
}
