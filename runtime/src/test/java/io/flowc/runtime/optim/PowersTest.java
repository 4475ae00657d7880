package io.flowc.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.MathContext;
import org.junit.jupiter.api.Test;

/** The bias-correction power β^t is the exact power rounded once. */
class PowersTest {
  private static final MathContext WIDE = new MathContext(80);

  private static double correctlyRounded(double base, long n) {
    return new BigDecimal(base).pow((int) n, WIDE).doubleValue();
  }

  @Test
  void integerPowersAreCorrectlyRounded() {
    double[] bases = {0.9, 0.999, 0.99, 0.8, 0.95, 0.5, 0.123456789, 0.9999, 1.0 - 0x1p-40, 1.1, -0.7};
    for (double base : bases) {
      for (long n = 0; n <= 300; n++) {
        assertEquals(correctlyRounded(base, n), Powers.pow(base, n), base + "^" + n);
      }
      for (long n : new long[] {1000, 4096, 12_000, 100_001}) {
        double expected = correctlyRounded(base, n);
        if (Math.abs(expected) > 0x1p-900 && Double.isFinite(expected)) {
          assertEquals(expected, Powers.pow(base, n), base + "^" + n);
        }
      }
    }
  }

  @Test
  void extremes() {
    assertEquals(0.0, Powers.pow(0.9, 1_000_000));
    assertEquals(Double.POSITIVE_INFINITY, Powers.pow(1.5, 1_000_000));
    assertEquals(Math.pow(0.5, 1070), Powers.pow(0.5, 1070)); // subnormal
    assertEquals(1.0, Powers.pow(0.0, 0));
    assertEquals(0.0, Powers.pow(0.0, 3));
    assertEquals(1.0, Powers.pow(1.0, Long.MAX_VALUE));
    assertEquals(Double.NaN, Powers.pow(Double.NaN, 2));
    assertThrows(IllegalArgumentException.class, () -> Powers.pow(0.9, -1));
  }
}
