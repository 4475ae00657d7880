package io.flowc.runtime.nuts;

/** A chain could not start or go on: e.g. the log density is not finite at its starting point. */
public class SamplingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Where the chain was (unconstrained scale), or null. */
  private final double[] point;

  public SamplingException(String message) {
    this(message, null);
  }

  public SamplingException(String message, double[] point) {
    super(message);
    this.point = point == null ? null : point.clone();
  }

  /** The point where the chain failed (unconstrained scale), or null when no single point is to blame. */
  public double[] point() {
    return point == null ? null : point.clone();
  }
}
