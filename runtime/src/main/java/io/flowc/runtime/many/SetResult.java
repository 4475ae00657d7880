package io.flowc.runtime.many;

import java.util.List;

/**
 * The result of one data set. Doubles that do not apply are NaN ({@code divergences} is 0 for
 * NFVI). {@code status} is one of {@link #OK}, {@link #BAD_DATA}, {@link #NOT_FINITE},
 * {@link #FAILED}; {@code message} says why a set did not succeed, or warns about one that did
 * (empty when there is nothing to say). {@code essBulk} is the smallest bulk ESS and {@code rHat}
 * the largest R-hat over the elements (NUTS).
 */
public record SetResult(String id, String status, String message, long seed, double seconds,
    List<ParameterRow> parameters,
    double finalLoss, double paretoK,
    double essBulk, double rHat, int divergences) {
  public static final String OK = "ok";
  /** The set's data do not fit the model (missing, wrong shape, a size compiled in that differs). */
  public static final String BAD_DATA = "bad_data";
  /** A loss, a log density or a chain that is NaN or infinite. */
  public static final String NOT_FINITE = "not_finite";
  /** Anything else that went wrong inside the fit. */
  public static final String FAILED = "failed";

  public SetResult {
    parameters = List.copyOf(parameters);
  }

  public boolean ok() {
    return OK.equals(status);
  }
}
