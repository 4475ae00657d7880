package io.flowc.runtime.nuts;

/** A chain could not start or go on: e.g. the log density is not finite at its starting point. */
public class SamplingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SamplingException(String message) {
    super(message);
  }
}
