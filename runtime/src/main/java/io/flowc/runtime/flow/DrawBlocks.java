package io.flowc.runtime.flow;

/**
 * The step generated batch-major ELBO bodies take at the start of each block of draws: the
 * block's base draws, which the caller passes draw by draw ({@code eps[s*d .. s*d + d)}), copied
 * into the workspace element by element ({@code [element][draw]}), so that each element's
 * values for the block's draws lie next to each other.
 */
public final class DrawBlocks {
  private DrawBlocks() {}

  /**
   * {@code w[offset + j * stride + b] = eps[(first + b) * dimension + j]} for {@code j < dimension},
   * {@code b < count}.
   */
  public static void transpose(double[] eps, int first, int count, int dimension, double[] w, int offset, int stride) {
    for (int j = 0; j < dimension; j++) {
      int row = offset + j * stride;
      int from = first * dimension + j;
      for (int b = 0; b < count; b++) {
        w[row + b] = eps[from + b * dimension];
      }
    }
  }
}
