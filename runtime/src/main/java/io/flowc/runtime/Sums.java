package io.flowc.runtime;

/**
 * The order in which a model's {@code sum} (and every sum the compiler derives, over a vector's
 * elements) adds its terms, the same in every backend, the kernel interpreter and the IR evaluator:
 * four lanes, lane j the terms j, j + 4, j + 8, ... added in that order from 0.0, and the total
 * {@code (lane0 + lane1) + (lane2 + lane3)}.
 *
 * <p>A sum in one chain waits for each addition to finish before the next starts (four cycles a
 * term on current processors), which made long dot products, such as a Householder reflection's
 * over 100 coordinates, the critical path of their kernels; four chains overlap. numpy sums in
 * eight unrolled lanes for the same reason, so neither order is PyMC3's exactly. For up to three
 * terms the lanes give the sum in one chain bit for bit ({@code 0.0 + x} is x but for -0.0, which
 * no lane ever holds, as 0.0 + -0.0 is 0.0), so short sums are computed in one chain.
 */
public final class Sums {
  /** The number of chains. */
  public static final int LANES = 4;

  private Sums() {}

  /** The sum of all elements. */
  public static double sum(double[] values) {
    return sum(values, 0, values.length, 1);
  }

  /** The sum of {@code a[offset + i * stride]} for {@code i < length}. */
  public static double sum(double[] a, int offset, int length, int stride) {
    double l0 = 0.0;
    double l1 = 0.0;
    double l2 = 0.0;
    double l3 = 0.0;
    int i = 0;
    for (; i + LANES <= length; i += LANES) {
      int at = offset + i * stride;
      l0 += a[at];
      l1 += a[at + stride];
      l2 += a[at + 2 * stride];
      l3 += a[at + 3 * stride];
    }
    int at = offset + i * stride;
    switch (length - i) {
      case 3:
        l2 += a[at + 2 * stride];
        // fall through
      case 2:
        l1 += a[at + stride];
        // fall through
      case 1:
        l0 += a[at];
        // fall through
      default:
        break;
    }
    return (l0 + l1) + (l2 + l3);
  }

  /** The sum in one chain, first element first (sums that must add in order; see the callers). */
  public static double inOrder(double[] values) {
    double s = 0.0;
    for (double x : values) {
      s += x;
    }
    return s;
  }

  /** Whether a sum of this many terms is computed in lanes (else in one chain, the same bits). */
  public static boolean inLanes(int terms) {
    return terms >= LANES;
  }
}
