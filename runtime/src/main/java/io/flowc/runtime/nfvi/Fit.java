package io.flowc.runtime.nfvi;

import java.util.Arrays;

/**
 * The outcome of a fit: the parameters it ended with, the loss of every completed step
 * ({@code inference.hist}), how it ended, and PyMC3's closing line. A fit stopped on a loss that
 * is not finite keeps the first draw of that step where the log density is NaN or infinite
 * ({@code rejectedDraw}, unconstrained scale; null if there is none), so that the cause can be named.
 */
public record Fit(double[] parameters, double[] history, Status status, int iterations, String message,
    double[] rejectedDraw) {

  /** How a fit ended. */
  public enum Status {
    /** Every iteration ran. */
    FINISHED,
    /** A callback stopped it (e.g. parameters converged). */
    INTERRUPTED,
    /** The loss or its gradient became NaN or infinite; the parameters are the last finite ones. */
    NOT_FINITE
  }

  public Fit {
    parameters = parameters.clone();
    history = history.clone();
    rejectedDraw = rejectedDraw == null ? null : rejectedDraw.clone();
  }

  public Fit(double[] parameters, double[] history, Status status, int iterations, String message) {
    this(parameters, history, status, iterations, message, null);
  }

  @Override
  public double[] rejectedDraw() {
    return rejectedDraw == null ? null : rejectedDraw.clone();
  }

  @Override
  public double[] parameters() {
    return parameters.clone();
  }

  @Override
  public double[] history() {
    return history.clone();
  }

  /**
   * PyMC3's "Average Loss": the mean of the finite values among the last (up to) 1001 losses;
   * NaN if none is finite. (PyMC3's own interrupted-run average uses a wrong slice; flowc uses
   * this definition for every ending.)
   */
  public double averageLoss() {
    int from = Math.max(0, history.length - 1001);
    double sum = 0;
    int n = 0;
    for (int i = from; i < history.length; i++) {
      if (Double.isFinite(history[i])) {
        sum += history[i];
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** PyMC3's closing line: {@code Finished [100%]: Average Loss = -1.7772} and its variants. */
  public String finishLine(int requested) {
    String loss = history.length < 10 && history.length > 0
        ? "Loss = " + PyFormat.commaG5(history[history.length - 1])
        : "Average Loss = " + PyFormat.commaG5(averageLoss());
    return switch (status) {
      case FINISHED -> "Finished [100%]: " + loss;
      case INTERRUPTED -> "Interrupted at " + String.format("%,d", iterations) + " ["
          + (100L * iterations / Math.max(1, requested)) + "%]: " + loss;
      case NOT_FINITE -> "Stopped at iteration " + String.format("%,d", iterations) + ": " + message;
    };
  }

  @Override
  public String toString() {
    return "Fit[" + status + ", " + iterations + " iterations, average loss " + averageLoss() + ", parameters "
        + Arrays.toString(parameters) + "]";
  }
}
