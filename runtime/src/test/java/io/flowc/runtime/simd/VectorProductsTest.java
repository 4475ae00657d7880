package io.flowc.runtime.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorProducts} against the scalar loops they replace, bit for bit, on values whose sums
 * come out differently in any other order (or with a fused multiply-add): every shape of tail
 * (outputs, draws, columns, tiles), strided rows, offsets, and masks that leave out draws inside
 * a tile, some of them NaN or infinite where left out.
 */
class VectorProductsTest {
  private final Random random = new Random(17);

  @Test
  void moduleIsPresent() {
    assertTrue(Simd.enabled(), "surefire runs with --add-modules jdk.incubator.vector (the root pom)");
  }

  /** -Dflowc.simd=false turns the vectorized products off for kernels compiled from then on. */
  @Test
  void thePropertyTurnsThemOff() {
    String before = System.getProperty(Simd.PROPERTY);
    try {
      System.setProperty(Simd.PROPERTY, "false");
      assertFalse(Simd.enabled());
      System.setProperty(Simd.PROPERTY, "true");
      assertTrue(Simd.enabled());
    } finally {
      if (before == null) {
        System.clearProperty(Simd.PROPERTY);
      } else {
        System.setProperty(Simd.PROPERTY, before);
      }
    }
  }

  /**
   * The warm-up calls every branch of both products (tails and whole tiles, masks) on arrays of
   * its own; an index out of its arrays would throw here rather than in a fit's background thread.
   */
  @Test
  void warmUpStaysInsideItsArrays() {
    assertTrue(Double.isFinite(VectorProducts.warmUp(16)));
  }

  @Test
  void productsAsTheScalarLoops() {
    for (int outputs : new int[] {1, 3, 4, 5, 9}) {
      for (int terms : new int[] {1, 2, 7}) {
        for (int n : new int[] {1, 3, 4, 7, 8, 9, 17, 128}) {
          for (boolean transposed : new boolean[] {false, true}) {
            product(outputs, terms, n, transposed);
          }
        }
      }
    }
  }

  @Test
  void outerSumsAsTheScalarLoops() {
    for (int rows : new int[] {1, 2, 5}) {
      for (int cols : new int[] {1, 3, 4, 5, 8, 11}) {
        // 8, 16, 24: tiles of eight draws only; 12, 13, 20: eight and then four
        for (int n : new int[] {1, 3, 4, 5, 8, 12, 13, 16, 20, 24, 128}) {
          outerSum(rows, cols, n, false);
          outerSum(rows, cols, n, true);
        }
      }
    }
  }

  /**
   * The values above tell orders apart: the same sums with their terms in reverse order, or
   * with fused multiply-adds, give other bits (so the checks above would catch either).
   */
  @Test
  void theValuesTellOrdersApart() {
    double[] m = values(7);
    double[] v = values(7 * 128);
    int differentOrder = 0;
    int fused = 0;
    for (int b = 0; b < 128; b++) {
      double forward = m[0] * v[b];
      double fma = m[0] * v[b];
      for (int k = 1; k < 7; k++) {
        forward += m[k] * v[k * 128 + b];
        fma = Math.fma(m[k], v[k * 128 + b], fma);
      }
      double backward = m[6] * v[6 * 128 + b];
      for (int k = 5; k >= 0; k--) {
        backward += m[k] * v[k * 128 + b];
      }
      differentOrder += forward != backward ? 1 : 0;
      fused += forward != fma ? 1 : 0;
    }
    assertTrue(differentOrder > 10 && fused > 10, differentOrder + " and " + fused + " of 128 sums differ");
  }

  private void product(int outputs, int terms, int n, boolean transposed) {
    int vStride = n + 3;
    int tStride = n + 2;
    int rows = transposed ? terms : outputs;
    int cols = transposed ? outputs : terms;
    double[] m = values(5 + rows * cols);
    double[] v = values(2 + terms * vStride);
    int outputStep = transposed ? 1 : cols;
    int termStep = transposed ? cols : 1;
    double[] expected = values(1 + outputs * tStride);
    double[] actual = expected.clone();
    for (int o = 0; o < outputs; o++) {
      for (int b = 0; b < n; b++) {
        double a = m[5 + o * outputStep] * v[2 + b];
        for (int k = 1; k < terms; k++) {
          a += m[5 + o * outputStep + k * termStep] * v[2 + k * vStride + b];
        }
        expected[1 + o * tStride + b] = a;
      }
    }
    VectorProducts.blockMatVec(actual, 1, tStride, m, 5, outputStep, termStep, v, 2, vStride, outputs, terms, n);
    assertBits(expected, actual, outputs + " x " + terms + ", " + n + " draws" + (transposed ? ", transposed" : ""));
  }

  private void outerSum(int rows, int cols, int n, boolean masked) {
    int lStride = n + 1;
    int rStride = n + 5;
    double[] left = values(3 + rows * lStride);
    double[] right = values(4 + cols * rStride);
    double[] mask = null;
    if (masked) {
      mask = new double[2 + n];
      for (int d = 0; d < n; d++) {
        mask[2 + d] = random.nextInt(5) == 0 ? 0.0 : 1.0;
        if (mask[2 + d] == 0.0) {
          // a draw left out may hold anything
          left[3 + (d % rows) * lStride + d] = d % 2 == 0 ? Double.NaN : Double.POSITIVE_INFINITY;
        }
      }
    }
    double[] expected = values(6 + rows * cols);
    double[] actual = expected.clone();
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double s = expected[6 + i * cols + j];
        for (int d = 0; d < n; d++) {
          if (mask == null || mask[2 + d] != 0.0) {
            s += left[3 + i * lStride + d] * right[4 + j * rStride + d];
          }
        }
        expected[6 + i * cols + j] = s;
      }
    }
    VectorProducts.blockOuterSum(actual, 6, left, 3, lStride, right, 4, rStride, mask, 2, rows, cols, n);
    assertBits(expected, actual, rows + " x " + cols + ", " + n + " draws" + (masked ? ", masked" : ""));
  }

  /** Values over many orders of magnitude and both signs. */
  private double[] values(int length) {
    double[] x = new double[length];
    for (int i = 0; i < length; i++) {
      x[i] = random.nextGaussian() * Math.pow(10, random.nextInt(17) - 8);
    }
    return x;
  }

  private static void assertBits(double[] expected, double[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
          what + ": element " + i + " " + Arrays.toString(new double[] {expected[i], actual[i]}));
    }
  }
}
