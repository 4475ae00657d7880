package io.flowc.runtime;

/** A compiled model artifact that cannot be used; the message is one line naming the file. */
public final class ArtifactException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ArtifactException(String message) {
    super(message);
  }

  public ArtifactException(String message, Throwable cause) {
    super(message, cause);
  }
}
