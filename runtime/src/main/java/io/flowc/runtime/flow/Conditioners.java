package io.flowc.runtime.flow;

import java.util.ArrayList;
import java.util.List;

/**
 * The structure the neural flows share between their layout (here, in the runtime) and their
 * definitions (the compiler's): coupling halves, variable orders, MADE masks, how a conditioner's
 * outputs are arranged, and the spline's constants. All from docs/spec/neural_flows.md, sections 2-5.
 */
public final class Conditioners {
  /** Minimum bin width and height, m_w = m_h (spec section 5). */
  public static final double MIN_BIN = 1e-3;
  /** Minimum interior derivative m_d (spec section 5). */
  public static final double MIN_DERIVATIVE = 1e-3;
  /** The raw derivative value that gives delta = 1: log(exp(1 - m_d) - 1) (spec section 5, identity start). */
  public static final double IDENTITY_DERIVATIVE = Math.log(Math.expm1(1 - MIN_DERIVATIVE));
  /** zuko's soft clip of affine log-scales to |a'| < ln 1000: a' = a / (1 + |a| / SOFT_CLIP) (spec section 3). */
  public static final double SOFT_CLIP = 6.9078;

  private Conditioners() {}

  /**
   * The conditioning half A of the k-th coupling flow (counting coupling flows only): the first
   * ceil(d/2) coordinates when k is even, the rest when k is odd (spec section 2).
   */
  public static int[] conditioning(int dimension, int k) {
    int first = (dimension + 1) / 2;
    return k % 2 == 0 ? range(0, first) : range(first, dimension);
  }

  /** The transformed half B of the k-th coupling flow: the coordinates not in {@link #conditioning}. */
  public static int[] transformed(int dimension, int k) {
    int first = (dimension + 1) / 2;
    return k % 2 == 0 ? range(first, dimension) : range(0, first);
  }

  private static int[] range(int from, int to) {
    int[] out = new int[to - from];
    for (int i = from; i < to; i++) {
      out[i - from] = i;
    }
    return out;
  }

  /**
   * MADE's input degrees for the k-th autoregressive flow: variable i's position in the order
   * (1..d), the order being 1..d when k is even and d..1 when k is odd (spec section 2).
   */
  public static int[] inputDegrees(int dimension, int k) {
    int[] degrees = new int[dimension];
    for (int i = 0; i < dimension; i++) {
      degrees[i] = k % 2 == 0 ? i + 1 : dimension - i;
    }
    return degrees;
  }

  /** MADE's hidden degrees, the same in every layer: (j mod max(1, d-1)) + min(1, d-1), j = 0..H-1. */
  public static int[] hiddenDegrees(int dimension, int hidden) {
    int[] degrees = new int[hidden];
    for (int j = 0; j < hidden; j++) {
      degrees[j] = j % Math.max(1, dimension - 1) + Math.min(1, dimension - 1);
    }
    return degrees;
  }

  /**
   * The allowed (row, column) elements, flat and row-major, of a masked layer whose unit {@code r}
   * (of degree {@code rowDegrees[r]}) sees input {@code c} (of degree {@code colDegrees[c]}):
   * {@code colDegree <= rowDegree} for hidden layers, {@code colDegree < rowDegree} for the output
   * layer ({@code strict}).
   */
  public static int[] allowed(int[] rowDegrees, int[] colDegrees, boolean strict) {
    List<Integer> positions = new ArrayList<>();
    for (int r = 0; r < rowDegrees.length; r++) {
      for (int c = 0; c < colDegrees.length; c++) {
        if (strict ? colDegrees[c] < rowDegrees[r] : colDegrees[c] <= rowDegrees[r]) {
          positions.add(r * colDegrees.length + c);
        }
      }
    }
    return positions.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The conditioner outputs per transformed variable: (mu, a) for affine flows, 3K - 1 for splines. */
  public static int outputsPerVariable(FlowSpec spec) {
    return spec.kind().isSpline() ? 3 * spec.options().bins() - 1 : 2;
  }

  /**
   * The transformed variable (index among the transformed ones) that output row {@code row} of
   * {@code n} variables belongs to: affine flows put the n shifts first, then the n log-scales
   * (rows p n + i); splines give each variable its 3K - 1 values together (rows i (3K-1) + p):
   * K width logits, K height logits, K - 1 derivative values.
   */
  public static int variableOfRow(FlowSpec spec, int row, int n) {
    return spec.kind().isSpline() ? row / outputsPerVariable(spec) : row % n;
  }

  /** The identity start's output bias of a row (spec sections 3-5): 0, or the raw derivative giving delta = 1. */
  public static double identityBias(FlowSpec spec, int row) {
    if (!spec.kind().isSpline()) {
      return 0;
    }
    int bins = spec.options().bins();
    return row % outputsPerVariable(spec) >= 2 * bins ? IDENTITY_DERIVATIVE : 0;
  }
}
