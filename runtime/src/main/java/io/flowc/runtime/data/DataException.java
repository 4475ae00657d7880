package io.flowc.runtime.data;

/** Data that cannot be read or does not fit a model's declarations; the message says why. */
public class DataException extends IllegalArgumentException {
  public DataException(String message) {
    super(message);
  }
}
