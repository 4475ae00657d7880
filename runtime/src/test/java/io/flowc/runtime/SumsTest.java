package io.flowc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Sums} against its definition written out: lane j the terms i with i mod 4 == j. */
class SumsTest {
  private static double byDefinition(double[] a, int offset, int length, int stride) {
    double[] lane = new double[Sums.LANES];
    for (int i = 0; i < length; i++) {
      lane[i % Sums.LANES] += a[offset + i * stride];
    }
    return (lane[0] + lane[1]) + (lane[2] + lane[3]);
  }

  @Test
  void everyLengthOffsetAndStrideAddsInItsLanes() {
    SplittableRandom random = new SplittableRandom(5);
    double[] a = new double[400];
    for (int i = 0; i < a.length; i++) {
      // wide magnitudes, so that another grouping rounds differently
      a[i] = random.nextGaussian() * Math.scalb(1.0, random.nextInt(-30, 30));
    }
    int differs = 0;
    for (int stride = 1; stride <= 3; stride++) {
      for (int offset = 0; offset < 5; offset++) {
        for (int length = 0; length * stride + offset <= a.length && length < 120; length++) {
          double expected = byDefinition(a, offset, length, stride);
          assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(Sums.sum(a, offset, length, stride)),
              "length " + length + ", offset " + offset + ", stride " + stride);
          double chain = 0;
          for (int i = 0; i < length; i++) {
            chain += a[offset + i * stride];
          }
          differs += chain != expected ? 1 : 0;
        }
      }
    }
    // the check above tells the lanes from one chain
    assertTrue(differs > 1000, "sums whose order shows: " + differs);
  }

  @Test
  void upToThreeTermsAreOneChainEvenWithNegativeZeros() {
    // -0.0 too: 0.0 + -0.0 is 0.0, so no lane ever holds -0.0 and adding an empty lane changes nothing
    double[] values = {-0.0, 0.0, 1.5, -1.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e308, -1e-320};
    for (double x : values) {
      for (double y : values) {
        for (double z : values) {
          double[][] cases = {{}, {x}, {x, y}, {x, y, z}};
          for (double[] c : cases) {
            double chain = 0.0;
            for (double v : c) {
              chain += v;
            }
            // doubleToLongBits: Java leaves a NaN's payload unspecified
            assertEquals(Double.doubleToLongBits(chain), Double.doubleToLongBits(Sums.sum(c)), Arrays.toString(c));
            assertFalse(Sums.inLanes(c.length), "short sums are one chain");
          }
        }
      }
    }
    assertTrue(Sums.inLanes(4));
  }
}
