package io.flowc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link MathFunctions#log1p} against the JDK's {@link StrictMath#log1p} (native fdlibm on Java 17),
 * bit for bit: every branch of the algorithm, its boundaries, and random inputs over all doubles.
 */
class Log1pTest {
  private static void same(double x) {
    double expected = StrictMath.log1p(x);
    double actual = MathFunctions.log1p(x);
    if (Double.isNaN(expected)) {
      assertTrue(Double.isNaN(actual), () -> "log1p(" + x + ") = " + actual + ", not NaN");
    } else {
      assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
          () -> "log1p(" + x + " = " + Double.toHexString(x) + "): " + actual + ", StrictMath " + expected);
    }
  }

  /** The doubles whose high word is {@code high}, and those next to them. */
  private static List<Double> around(int high) {
    List<Double> xs = new ArrayList<>();
    double at = Double.longBitsToDouble((long) high << 32);
    for (double x : new double[] {at, Math.nextUp(at), Math.nextDown(at),
        Double.longBitsToDouble(((long) high << 32) | 0xffffffffL)}) {
      xs.add(x);
      xs.add(-x);
    }
    return xs;
  }

  @Test
  void specialValuesAndBranchBoundaries() {
    List<Double> xs = new ArrayList<>(List.of(0.0, -0.0, -1.0, Math.nextDown(-1.0), Math.nextUp(-1.0), -2.0,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, Double.MAX_VALUE, -Double.MAX_VALUE,
        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, 1.0, 0.5, -0.5, Math.sqrt(2) - 1, Math.sqrt(0.5) - 1,
        1e-300, 0x1p-20, -0x1p-20, 0x1p53, 0x1p54, Math.nextDown(0x1p54)));
    // x < 0.41422, x <= -1, |x| < 2^-29, |x| < 2^-54, -0.2929 < x, x < 2^53 (1 + x exact enough), u's normalization
    for (int high : new int[] {0x3FDA827A, 0x3ff00000, 0x3e200000, 0x3c900000, 0xbfd2bec3 & 0x7fffffff, 0x43400000,
        0x7ff00000 - 1}) {
      xs.addAll(around(high));
    }
    // 1 + x just below and above the split at sqrt(2) of the mantissa (hu = 0x6a09e), over many exponents
    for (int k = -20; k <= 60; k++) {
      double split = Math.scalb(Double.longBitsToDouble(0x3ff6a09eL << 32), k);
      for (double u : new double[] {split, Math.nextUp(split), Math.nextDown(split), Math.scalb(1.0, k),
          Math.nextUp(Math.scalb(1.0, k)), Math.nextDown(Math.scalb(1.0, k))}) {
        xs.add(u - 1);
        xs.add(u);
      }
    }
    // |f| < 2^-20: 1 + x within 2^-20 of a power of two
    for (int k = -3; k <= 40; k++) {
      for (double d : new double[] {0, 1e-7, -1e-7, 3e-9}) {
        xs.add(Math.scalb(1.0 + d, k) - 1);
      }
    }
    xs.forEach(Log1pTest::same);
  }

  @Test
  void randomInputsOverEveryRange() {
    SplittableRandom random = new SplittableRandom(20261206);
    for (int i = 0; i < 400_000; i++) {
      same(Double.longBitsToDouble(random.nextLong())); // every exponent and sign
      same(random.nextDouble(-1, 1));
      same(random.nextDouble(-1, 0.5));
      same(Math.exp(random.nextDouble(-745, 709)) * (random.nextBoolean() ? 1 : -1));
      same(Math.exp(-random.nextDouble(0, 40))); // softplus's argument exp(-|x|)
    }
  }
}
