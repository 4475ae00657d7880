package io.flowc.bench.baseline;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link HandWrittenNsfPot1}'s dense layers with {@code jdk.incubator.vector}, draws in lanes, as
 * one would write them by hand for speed rather than for the scalar kernel's bits: the products
 * {@code W in} and {@code W^T gOut} add their terms in the scalar order (the same bits), but the
 * weight and bias gradients sum each draw lane's terms apart and add the lanes at the end (one
 * partial sum per lane, then a reduction), so they agree with the scalar kernel to rounding only.
 * Blocks must hold a multiple of the lane count; the draws beyond the last full vector run scalar.
 */
final class VectorDense {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  private VectorDense() {}

  /** out[i][b] = act(sum_j W[i,j] in[j][b] + c[i]), j ascending, two vectors of draws per trip. */
  static void dense(double[] theta, int weight, int rows, int cols, int in, int out, int block, int nb, double[] w,
      boolean relu) {
    int bias = weight + rows * cols;
    DoubleVector zero = DoubleVector.zero(S);
    for (int i = 0; i < rows; i++) {
      int row = out + i * block;
      int wRow = weight + i * cols;
      double ci = theta[bias + i];
      int b = 0;
      for (; b + 2 * L <= nb; b += 2 * L) {
        DoubleVector first = DoubleVector.broadcast(S, theta[wRow]);
        DoubleVector a0 = first.mul(DoubleVector.fromArray(S, w, in + b));
        DoubleVector a1 = first.mul(DoubleVector.fromArray(S, w, in + b + L));
        for (int j = 1; j < cols; j++) {
          DoubleVector wij = DoubleVector.broadcast(S, theta[wRow + j]);
          int src = in + j * block + b;
          a0 = a0.add(wij.mul(DoubleVector.fromArray(S, w, src)));
          a1 = a1.add(wij.mul(DoubleVector.fromArray(S, w, src + L)));
        }
        a0 = a0.add(ci);
        a1 = a1.add(ci);
        if (relu) {
          a0 = a0.max(zero);
          a1 = a1.max(zero);
        }
        a0.intoArray(w, row + b);
        a1.intoArray(w, row + b + L);
      }
      for (; b < nb; b++) {
        double a = theta[wRow] * w[in + b];
        for (int j = 1; j < cols; j++) {
          a += theta[wRow + j] * w[in + j * block + b];
        }
        a += ci;
        w[row + b] = relu ? Math.max(a, 0.0) : a;
      }
    }
  }

  /**
   * For out = W in + c: adds dW and dc to the gradient (lane partial sums over the draws, then
   * reduced), and writes gIn[j][b] = sum_i W[i,j] gOut[i][b], i ascending.
   */
  static void denseBackward(double[] theta, double[] gradient, int weight, int rows, int cols, int in, int gOut,
      int gIn, int block, int nb, double[] w) {
    int bias = weight + rows * cols;
    int full = nb - nb % L;
    for (int i = 0; i < rows; i++) {
      int row = gOut + i * block;
      int wRow = weight + i * cols;
      DoubleVector c = DoubleVector.zero(S);
      for (int b = 0; b < full; b += L) {
        c = c.add(DoubleVector.fromArray(S, w, row + b));
      }
      double cs = c.reduceLanes(VectorOperators.ADD);
      for (int b = full; b < nb; b++) {
        cs += w[row + b];
      }
      gradient[bias + i] += cs;
      int j = 0;
      for (; j + 4 <= cols; j += 4) {
        int x = in + j * block;
        DoubleVector a0 = DoubleVector.zero(S);
        DoubleVector a1 = DoubleVector.zero(S);
        DoubleVector a2 = DoubleVector.zero(S);
        DoubleVector a3 = DoubleVector.zero(S);
        for (int b = 0; b < full; b += L) {
          DoubleVector g = DoubleVector.fromArray(S, w, row + b);
          a0 = a0.add(g.mul(DoubleVector.fromArray(S, w, x + b)));
          a1 = a1.add(g.mul(DoubleVector.fromArray(S, w, x + block + b)));
          a2 = a2.add(g.mul(DoubleVector.fromArray(S, w, x + 2 * block + b)));
          a3 = a3.add(g.mul(DoubleVector.fromArray(S, w, x + 3 * block + b)));
        }
        double s0 = a0.reduceLanes(VectorOperators.ADD);
        double s1 = a1.reduceLanes(VectorOperators.ADD);
        double s2 = a2.reduceLanes(VectorOperators.ADD);
        double s3 = a3.reduceLanes(VectorOperators.ADD);
        for (int b = full; b < nb; b++) {
          double g = w[row + b];
          s0 += g * w[x + b];
          s1 += g * w[x + block + b];
          s2 += g * w[x + 2 * block + b];
          s3 += g * w[x + 3 * block + b];
        }
        gradient[wRow + j] += s0;
        gradient[wRow + j + 1] += s1;
        gradient[wRow + j + 2] += s2;
        gradient[wRow + j + 3] += s3;
      }
      for (; j < cols; j++) {
        double a = 0;
        for (int b = 0; b < nb; b++) {
          a += w[row + b] * w[in + j * block + b];
        }
        gradient[wRow + j] += a;
      }
    }
    for (int j = 0; j < cols; j++) {
      int target = gIn + j * block;
      int b = 0;
      for (; b + 2 * L <= nb; b += 2 * L) {
        DoubleVector first = DoubleVector.broadcast(S, theta[weight + j]);
        DoubleVector a0 = first.mul(DoubleVector.fromArray(S, w, gOut + b));
        DoubleVector a1 = first.mul(DoubleVector.fromArray(S, w, gOut + b + L));
        for (int i = 1; i < rows; i++) {
          DoubleVector wij = DoubleVector.broadcast(S, theta[weight + i * cols + j]);
          int src = gOut + i * block + b;
          a0 = a0.add(wij.mul(DoubleVector.fromArray(S, w, src)));
          a1 = a1.add(wij.mul(DoubleVector.fromArray(S, w, src + L)));
        }
        a0.intoArray(w, target + b);
        a1.intoArray(w, target + b + L);
      }
      for (; b < nb; b++) {
        double a = theta[weight + j] * w[gOut + b];
        for (int i = 1; i < rows; i++) {
          a += theta[weight + i * cols + j] * w[gOut + i * block + b];
        }
        w[target + b] = a;
      }
    }
  }
}
