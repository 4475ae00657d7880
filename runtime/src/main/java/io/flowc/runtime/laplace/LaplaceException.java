package io.flowc.runtime.laplace;

/**
 * A model whose Laplace approximation does not exist: no mode was found (an improper posterior,
 * a density rising without bound), or the Hessian at the mode is not positive definite, or the
 * flow formula has no place for the Gaussian. The message is one line, for users.
 */
public final class LaplaceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LaplaceException(String message) {
    super(message, null, false, false);
  }
}
