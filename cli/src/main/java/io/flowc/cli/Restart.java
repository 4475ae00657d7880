package io.flowc.cli;

import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nfvi.Tracker;
import java.util.Locale;

/** One of a fit's restarts: its fit, the final loss on fresh draws, its tracker (or null) and timings. */
record Restart(int index, long seed, Fit fit, Nfvi.Evaluation evaluation, Tracker tracker, double fitSeconds,
    double evalSeconds) {

  /**
   * Whether this restart counts as a result: its loop did not stop on a non-finite value and its
   * final loss is finite. A loss that is NaN or infinite is never a finished fit.
   */
  boolean succeeded() {
    return fit.status() != Fit.Status.NOT_FINITE && evaluation.isFinite();
  }

  /** As reported: the loop's status, or {@code not_finite} when the final loss is not finite. */
  String status() {
    Fit.Status status = fit.status() == Fit.Status.NOT_FINITE || evaluation.isFinite()
        ? fit.status() : Fit.Status.NOT_FINITE;
    return status.name().toLowerCase(Locale.ROOT);
  }

  /** What was not finite, for a failed restart; empty for one that succeeded. */
  String failure() {
    return fit.status() == Fit.Status.NOT_FINITE ? fit.message() : evaluation.failure();
  }

  /** The numbers the JSON report lists for every restart; they keep nothing of the fitted flow. */
  Summary summary() {
    return new Summary(seed, status(), fit.averageLoss(), evaluation.finalLoss(), fitSeconds, evalSeconds);
  }

  record Summary(long seed, String status, double averageLoss, double finalLoss, double fitSeconds,
      double evalSeconds) {}
}
