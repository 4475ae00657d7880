package io.flowc.cli;

/**
 * A mistake of the user (a missing file, a bad option value, ...). {@link Main} prints its
 * message after {@code error: } on stderr, without a stack trace, and exits with
 * {@link ExitCodes#USER}.
 */
public final class UserException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserException(String message) {
    super(message, null, false, false);
  }
}
