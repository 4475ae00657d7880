package io.flowc.runtime.nfvi;

/**
 * What the compiler counted of an ELBO kernel, from which {@link StepSplit#rule} splits a fit's
 * steps: the operations one draw of its body runs ({@code operationsPerDraw}: a loop over L
 * elements counting L, a product with an m x n matrix m n; 0 if unknown), the operations every
 * call runs whatever its draws ({@code operationsPerCall}: the prologue and epilogue, and the
 * zeroing, scaling and combining of one gradient per call), and the fewest draws a call must have
 * to run as it was compiled to ({@code minimumChunkDraws}: a whole block of 128 for a batched body
 * with products of weights all draws share, which read each weight once per block; the batched
 * body's least draws for other batched bodies; 1 for bodies that run draw by draw).
 */
public record StepCost(long operationsPerDraw, long operationsPerCall, int minimumChunkDraws) {
  /** A kernel whose cost is not known (an artifact without its source): its steps never split. */
  public static final StepCost UNKNOWN = new StepCost(0, 0, 1);

  public StepCost {
    if (operationsPerDraw < 0 || operationsPerCall < 0 || minimumChunkDraws < 1) {
      throw new IllegalArgumentException("operations must be >= 0 and minimumChunkDraws >= 1");
    }
  }

  /** As an artifact records it: {@code operationsPerDraw,operationsPerCall,minimumChunkDraws}. */
  public String encode() {
    return operationsPerDraw + "," + operationsPerCall + "," + minimumChunkDraws;
  }

  /** The cost {@link #encode} wrote. */
  public static StepCost decode(String text) {
    String[] parts = text.split(",", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("expected three whole numbers separated by commas");
    }
    long perDraw = Long.parseLong(parts[0]);
    long perCall = Long.parseLong(parts[1]);
    return new StepCost(perDraw, perCall, Integer.parseInt(parts[2]));
  }
}
