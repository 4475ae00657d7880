package io.flowc.compiler.backend;

/**
 * A model (or a model with a flow) whose generated class would exceed what a class file can hold:
 * a fault of the model's size, reported to the user, not of the compiler.
 */
public final class CodeTooLargeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** {@code what}: the model (and flow) being compiled; {@code limit}: the limit exceeded. */
  public CodeTooLargeException(String what, String limit) {
    super(what + " is too large to compile (" + limit + "); make the model smaller");
  }
}
