package io.flowc.runtime.random;

/** A draw that cannot be made: arguments outside a distribution's domain, or bounds that hold no mass. */
public final class DrawException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DrawException(String message) {
    super(message);
  }
}
