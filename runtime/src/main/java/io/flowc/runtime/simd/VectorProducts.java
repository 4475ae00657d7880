package io.flowc.runtime.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two products of batch-major ELBO bodies (the compiler's {@code Kernel.BlockMatVec} and
 * {@code Kernel.BlockOuterSum}) with {@code jdk.incubator.vector}, called by generated kernels
 * when {@link Simd#enabled()}. Each result has the bits of the scalar code the bytecode backend
 * writes otherwise: every lane is one sum, its terms multiplied then added lane-wise (never a
 * fused multiply-add) in exactly the scalar order, and no sum is ever split or reordered; lanes
 * hold draws in the products and columns in the outer sums. Only this class refers to the module:
 * it loads only in a JVM that has it (see {@link Simd}).
 *
 * <p>One shared method per product rather than vector code in every generated class: it is hot
 * after the first steps of any fit, so C2 compiles it early, whereas the Vector API run by the
 * interpreter or C1 allocates a box per operation and is far slower than scalar code.
 */
public final class VectorProducts {
  /** Draws per vector. */
  private static final VectorSpecies<Double> DRAWS = DoubleVector.SPECIES_PREFERRED;
  /** Columns per vector in the outer sums, whose tiles of draws are transposed 4 x 4. */
  private static final VectorSpecies<Double> QUAD = DoubleVector.SPECIES_256;
  private static final int L = DRAWS.length();
  /** Outputs of a product computed side by side, sharing each load of the draws' values. */
  private static final int OUTPUTS_PER_TRIP = 4;

  // The 4 x 4 transpose as AVX2 code does it (unpack, then swap 128-bit halves), in lanes.
  private static final VectorShuffle<Double> EVEN = VectorShuffle.fromValues(QUAD, 0, 0, 2, 2);
  private static final VectorShuffle<Double> ODD = VectorShuffle.fromValues(QUAD, 1, 1, 3, 3);
  private static final VectorShuffle<Double> LOW = VectorShuffle.fromValues(QUAD, 0, 1, 0, 1);
  private static final VectorShuffle<Double> HIGH = VectorShuffle.fromValues(QUAD, 2, 3, 2, 3);
  private static final VectorMask<Double> ODD_LANES = VectorMask.fromValues(QUAD, false, true, false, true);
  private static final VectorMask<Double> HIGH_LANES = VectorMask.fromValues(QUAD, false, false, true, true);

  private VectorProducts() {}

  /**
   * Calls both products, with every branch they have (forward and transposed, tails of outputs,
   * draws and columns, masks with a draw left out), on small arrays of its own {@code rounds}
   * times: enough calls for HotSpot to compile them with C2 (docs/performance.md, "Neural flows
   * in blocks"). Until then the Vector API runs in the interpreter or C1, which allocate a box per
   * operation; a fit's first steps took hundreds of milliseconds each that way. No result leaves
   * this method.
   */
  public static double warmUp(int rounds) {
    int terms = 6;
    int stride = 4 * L + 1;
    double[] v = new double[terms * stride];
    double[] m = new double[9 * terms];
    double[] t = new double[9 * stride];
    double[] acc = new double[terms * 9];
    double[] mask = new double[stride + 4];
    java.util.Arrays.fill(v, 0.5);
    java.util.Arrays.fill(m, 0.25);
    java.util.Arrays.fill(mask, 1.0);
    mask[1] = 0.0;
    for (int r = 0; r < rounds; r++) {
      // with and without tails: 9 or 8 outputs (columns), 2L + 3 or 4L draws (a whole number of tiles)
      int outputs = (r & 1) == 0 ? 9 : 8;
      int n = (r & 2) == 0 ? 2 * L + 3 : 4 * L;
      blockMatVec(t, 0, stride, m, 0, terms, 1, v, 1, stride, outputs, terms, n);
      blockMatVec(v, 0, stride, m, 0, 1, terms, t, 1, stride, terms, outputs, n);
      blockOuterSum(acc, 0, v, 1, stride, t, 1, stride, null, 0, terms, outputs, n);
      blockOuterSum(acc, 0, v, 1, stride, t, 1, stride, mask, (r & 4) == 0 ? 0 : 4, terms, outputs, n);
      java.util.Arrays.fill(acc, 0.0);
    }
    return t[0] + v[0];
  }

  /** Lanes of a vector of draws: below 4 (no 256-bit vectors) the scalar code is as fast. */
  public static int lanes() {
    return L;
  }

  /**
   * {@code t[tOff + o*tStride + b] = sum over k of m[mOff + o*outputStep + k*termStep] * v[vOff +
   * k*vStride + b]} for outputs {@code o < outputs} and draws {@code b < n}, each sum from its
   * first term (k = 0, not 0.0 + ...), k ascending: {@code Kernel.BlockMatVec}.
   */
  public static void blockMatVec(double[] t, int tOff, int tStride, double[] m, int mOff, int outputStep,
      int termStep, double[] v, int vOff, int vStride, int outputs, int terms, int n) {
    int o = 0;
    for (; o + OUTPUTS_PER_TRIP <= outputs; o += OUTPUTS_PER_TRIP) {
      fourOutputs(t, tOff + o * tStride, tStride, m, mOff + o * outputStep, outputStep, termStep, v, vOff, vStride,
          terms, n);
    }
    for (; o < outputs; o++) {
      oneOutput(t, tOff + o * tStride, m, mOff + o * outputStep, termStep, v, vOff, vStride, terms, n);
    }
  }

  private static void fourOutputs(double[] t, int tOff, int tStride, double[] m, int mOff, int outputStep,
      int termStep, double[] v, int vOff, int vStride, int terms, int n) {
    int m1 = mOff + outputStep;
    int m2 = m1 + outputStep;
    int m3 = m2 + outputStep;
    int b = 0;
    for (; b + 2 * L <= n; b += 2 * L) {
      int r = vOff + b;
      DoubleVector x = DoubleVector.fromArray(DRAWS, v, r);
      DoubleVector y = DoubleVector.fromArray(DRAWS, v, r + L);
      DoubleVector w = DoubleVector.broadcast(DRAWS, m[mOff]);
      DoubleVector a0 = w.mul(x);
      DoubleVector b0 = w.mul(y);
      w = DoubleVector.broadcast(DRAWS, m[m1]);
      DoubleVector a1 = w.mul(x);
      DoubleVector b1 = w.mul(y);
      w = DoubleVector.broadcast(DRAWS, m[m2]);
      DoubleVector a2 = w.mul(x);
      DoubleVector b2 = w.mul(y);
      w = DoubleVector.broadcast(DRAWS, m[m3]);
      DoubleVector a3 = w.mul(x);
      DoubleVector b3 = w.mul(y);
      for (int k = 1; k < terms; k++) {
        r += vStride;
        int e = k * termStep;
        x = DoubleVector.fromArray(DRAWS, v, r);
        y = DoubleVector.fromArray(DRAWS, v, r + L);
        w = DoubleVector.broadcast(DRAWS, m[mOff + e]);
        a0 = a0.add(w.mul(x));
        b0 = b0.add(w.mul(y));
        w = DoubleVector.broadcast(DRAWS, m[m1 + e]);
        a1 = a1.add(w.mul(x));
        b1 = b1.add(w.mul(y));
        w = DoubleVector.broadcast(DRAWS, m[m2 + e]);
        a2 = a2.add(w.mul(x));
        b2 = b2.add(w.mul(y));
        w = DoubleVector.broadcast(DRAWS, m[m3 + e]);
        a3 = a3.add(w.mul(x));
        b3 = b3.add(w.mul(y));
      }
      int s = tOff + b;
      a0.intoArray(t, s);
      b0.intoArray(t, s + L);
      a1.intoArray(t, s + tStride);
      b1.intoArray(t, s + tStride + L);
      a2.intoArray(t, s + 2 * tStride);
      b2.intoArray(t, s + 2 * tStride + L);
      a3.intoArray(t, s + 3 * tStride);
      b3.intoArray(t, s + 3 * tStride + L);
    }
    for (; b < n; b++) {
      for (int p = 0; p < OUTPUTS_PER_TRIP; p++) {
        t[tOff + p * tStride + b] = scalarSum(m, mOff + p * outputStep, termStep, v, vOff + b, vStride, terms);
      }
    }
  }

  private static void oneOutput(double[] t, int tOff, double[] m, int mOff, int termStep, double[] v, int vOff,
      int vStride, int terms, int n) {
    int b = 0;
    for (; b + L <= n; b += L) {
      int r = vOff + b;
      DoubleVector a = DoubleVector.broadcast(DRAWS, m[mOff]).mul(DoubleVector.fromArray(DRAWS, v, r));
      for (int k = 1; k < terms; k++) {
        r += vStride;
        a = a.add(DoubleVector.broadcast(DRAWS, m[mOff + k * termStep]).mul(DoubleVector.fromArray(DRAWS, v, r)));
      }
      a.intoArray(t, tOff + b);
    }
    for (; b < n; b++) {
      t[tOff + b] = scalarSum(m, mOff, termStep, v, vOff + b, vStride, terms);
    }
  }

  /** One draw's sum, as the scalar code adds it. */
  private static double scalarSum(double[] m, int mOff, int termStep, double[] v, int r, int vStride, int terms) {
    double a = m[mOff] * v[r];
    for (int k = 1; k < terms; k++) {
      a += m[mOff + k * termStep] * v[r + k * vStride];
    }
    return a;
  }

  /**
   * {@code acc[accOff + i*cols + j] += left[lOff + i*lStride + d] * right[rOff + j*rStride + d]}
   * for d ascending below n, skipping draws whose {@code mask[maskOff + d]} is 0.0 (no mask:
   * {@code mask == null}), rows {@code i < rows}, columns {@code j < cols}: {@code
   * Kernel.BlockOuterSum}. Lanes are four columns; the right factors of four draws are
   * transposed in registers so that a vector holds one draw's values of four columns, and each
   * element still receives its terms one draw after another.
   */
  public static void blockOuterSum(double[] acc, int accOff, double[] left, int lOff, int lStride, double[] right,
      int rOff, int rStride, double[] mask, int maskOff, int rows, int cols, int n) {
    int tiles = n & ~3;
    int j = 0;
    for (; j + 4 <= cols; j += 4) {
      int r = rOff + j * rStride;
      int a = accOff + j;
      for (int d = 0; d < tiles;) {
        if (mask != null && !allCount(mask, maskOff + d)) {
          scalarColumns(acc, a, cols, left, lOff, lStride, right, r, rStride, mask, maskOff, rows, 4, d, d + 4);
          d += 4;
        } else if (d + 8 <= tiles && (mask == null || allCount(mask, maskOff + d + 4))) {
          eightDraws(acc, a, cols, left, lOff + d, lStride, right, r + d, rStride, rows);
          d += 8;
        } else {
          fourDraws(acc, a, cols, left, lOff + d, lStride, right, r + d, rStride, rows);
          d += 4;
        }
      }
      scalarColumns(acc, accOff + j, cols, left, lOff, lStride, right, r, rStride, mask, maskOff, rows, 4, tiles, n);
    }
    if (j < cols) {
      scalarColumns(acc, accOff + j, cols, left, lOff, lStride, right, rOff + j * rStride, rStride, mask, maskOff,
          rows, cols - j, 0, n);
    }
  }

  /**
   * Four draws of four columns from acc[a], the draws' right factors from right[r] (one row per
   * column): a 4 x 4 tile transposed in registers, then each row's four sums in one vector.
   */
  private static void fourDraws(double[] acc, int a, int cols, double[] left, int l, int lStride, double[] right,
      int r, int rStride, int rows) {
    DoubleVector r0 = DoubleVector.fromArray(QUAD, right, r);
    DoubleVector r1 = DoubleVector.fromArray(QUAD, right, r + rStride);
    DoubleVector r2 = DoubleVector.fromArray(QUAD, right, r + 2 * rStride);
    DoubleVector r3 = DoubleVector.fromArray(QUAD, right, r + 3 * rStride);
    DoubleVector u0 = r0.blend(r1.rearrange(EVEN), ODD_LANES);
    DoubleVector u1 = r0.rearrange(ODD).blend(r1, ODD_LANES);
    DoubleVector u2 = r2.blend(r3.rearrange(EVEN), ODD_LANES);
    DoubleVector u3 = r2.rearrange(ODD).blend(r3, ODD_LANES);
    // c_k: draw k's right factors of the four columns
    DoubleVector c0 = u0.blend(u2.rearrange(LOW), HIGH_LANES);
    DoubleVector c1 = u1.blend(u3.rearrange(LOW), HIGH_LANES);
    DoubleVector c2 = u0.rearrange(HIGH).blend(u2, HIGH_LANES);
    DoubleVector c3 = u1.rearrange(HIGH).blend(u3, HIGH_LANES);
    for (int i = 0; i < rows; i++, l += lStride, a += cols) {
      DoubleVector s = DoubleVector.fromArray(QUAD, acc, a);
      s = s.add(DoubleVector.broadcast(QUAD, left[l]).mul(c0));
      s = s.add(DoubleVector.broadcast(QUAD, left[l + 1]).mul(c1));
      s = s.add(DoubleVector.broadcast(QUAD, left[l + 2]).mul(c2));
      s = s.add(DoubleVector.broadcast(QUAD, left[l + 3]).mul(c3));
      s.intoArray(acc, a);
    }
  }

  /**
   * As {@link #fourDraws} for eight draws, two tiles, each row's sums loaded and stored once for
   * the eight (half the accumulator traffic of two calls of fourDraws), the draws still added in
   * order.
   */
  private static void eightDraws(double[] acc, int a, int cols, double[] left, int l, int lStride, double[] right,
      int r, int rStride, int rows) {
    DoubleVector r0 = DoubleVector.fromArray(QUAD, right, r);
    DoubleVector r1 = DoubleVector.fromArray(QUAD, right, r + rStride);
    DoubleVector r2 = DoubleVector.fromArray(QUAD, right, r + 2 * rStride);
    DoubleVector r3 = DoubleVector.fromArray(QUAD, right, r + 3 * rStride);
    DoubleVector u0 = r0.blend(r1.rearrange(EVEN), ODD_LANES);
    DoubleVector u1 = r0.rearrange(ODD).blend(r1, ODD_LANES);
    DoubleVector u2 = r2.blend(r3.rearrange(EVEN), ODD_LANES);
    DoubleVector u3 = r2.rearrange(ODD).blend(r3, ODD_LANES);
    DoubleVector c0 = u0.blend(u2.rearrange(LOW), HIGH_LANES);
    DoubleVector c1 = u1.blend(u3.rearrange(LOW), HIGH_LANES);
    DoubleVector c2 = u0.rearrange(HIGH).blend(u2, HIGH_LANES);
    DoubleVector c3 = u1.rearrange(HIGH).blend(u3, HIGH_LANES);
    r0 = DoubleVector.fromArray(QUAD, right, r + 4);
    r1 = DoubleVector.fromArray(QUAD, right, r + rStride + 4);
    r2 = DoubleVector.fromArray(QUAD, right, r + 2 * rStride + 4);
    r3 = DoubleVector.fromArray(QUAD, right, r + 3 * rStride + 4);
    u0 = r0.blend(r1.rearrange(EVEN), ODD_LANES);
    u1 = r0.rearrange(ODD).blend(r1, ODD_LANES);
    u2 = r2.blend(r3.rearrange(EVEN), ODD_LANES);
    u3 = r2.rearrange(ODD).blend(r3, ODD_LANES);
    DoubleVector c4 = u0.blend(u2.rearrange(LOW), HIGH_LANES);
    DoubleVector c5 = u1.blend(u3.rearrange(LOW), HIGH_LANES);
    DoubleVector c6 = u0.rearrange(HIGH).blend(u2, HIGH_LANES);
    DoubleVector c7 = u1.rearrange(HIGH).blend(u3, HIGH_LANES);
    for (int i = 0; i < rows; i++, l += lStride, a += cols) {
      DoubleVector s = DoubleVector.fromArray(QUAD, acc, a);
      s = s.add(DoubleVector.broadcast(QUAD, left[l]).mul(c0));
      s = s.add(DoubleVector.broadcast(QUAD, left[l + 1]).mul(c1));
      s = s.add(DoubleVector.broadcast(QUAD, left[l + 2]).mul(c2));
      s = s.add(DoubleVector.broadcast(QUAD, left[l + 3]).mul(c3));
      s = s.add(DoubleVector.broadcast(QUAD, left[l + 4]).mul(c4));
      s = s.add(DoubleVector.broadcast(QUAD, left[l + 5]).mul(c5));
      s = s.add(DoubleVector.broadcast(QUAD, left[l + 6]).mul(c6));
      s = s.add(DoubleVector.broadcast(QUAD, left[l + 7]).mul(c7));
      s.intoArray(acc, a);
    }
  }

  private static boolean allCount(double[] mask, int at) {
    return mask[at] != 0.0 && mask[at + 1] != 0.0 && mask[at + 2] != 0.0 && mask[at + 3] != 0.0;
  }

  /** Draws {@code from .. to - 1} of {@code width} columns from the one at acc[accOff], as the scalar code. */
  private static void scalarColumns(double[] acc, int accOff, int cols, double[] left, int lOff, int lStride,
      double[] right, int rOff, int rStride, double[] mask, int maskOff, int rows, int width, int from, int to) {
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < width; c++) {
        int e = accOff + i * cols + c;
        double s = acc[e];
        for (int d = from; d < to; d++) {
          if (mask == null || mask[maskOff + d] != 0.0) {
            s += left[lOff + i * lStride + d] * right[rOff + c * rStride + d];
          }
        }
        acc[e] = s;
      }
    }
  }
}
