package io.flowc.runtime;

import java.util.concurrent.ExecutionException;

/** What work run on another thread failed with, for its caller to throw as it was thrown there. */
public final class WorkFailures {
  private WorkFailures() {}

  /**
   * The failure behind {@code e} to throw: an {@link Error} is thrown from here as it was (an
   * OutOfMemoryError is reported as such), a RuntimeException returned as it was, any other
   * cause returned wrapped. Use as {@code throw WorkFailures.cause(e);}.
   */
  public static RuntimeException cause(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof Error error) {
      throw error;
    }
    return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
  }
}
