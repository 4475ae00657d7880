package io.flowc.runtime.nfvi;

import java.util.Locale;

/** One of a fit's restarts: its fit, the final loss on fresh draws, its tracker (or null) and timings. */
public record Restart(int index, long seed, Fit fit, Nfvi.Evaluation evaluation, Tracker tracker, double fitSeconds,
    double evalSeconds) {

  /**
   * The seed of restart {@code index} of a fit with seed {@code seed}: the seed itself for the
   * first, streams derived from it for the others (so the first restart alone is a plain fit).
   */
  public static long seedOf(long seed, int index) {
    return index == 0 ? seed : Draws.streamSeed(seed, -1000L - index);
  }

  /**
   * Whether this restart counts as a result: its loop did not stop on a non-finite value and its
   * final loss is finite. A loss that is NaN or infinite is never a finished fit.
   */
  public boolean succeeded() {
    return fit.status() != Fit.Status.NOT_FINITE && evaluation.isFinite();
  }

  /** As reported: the loop's status, or {@code not_finite} when the final loss is not finite. */
  public String status() {
    Fit.Status status = fit.status() == Fit.Status.NOT_FINITE || evaluation.isFinite()
        ? fit.status() : Fit.Status.NOT_FINITE;
    return status.name().toLowerCase(Locale.ROOT);
  }

  /** What was not finite, for a failed restart; empty for one that succeeded. */
  public String failure() {
    return fit.status() == Fit.Status.NOT_FINITE ? fit.message() : evaluation.failure();
  }

  /** The numbers the JSON report lists for every restart; they keep nothing of the fitted flow. */
  public Summary summary() {
    return new Summary(seed, status(), fit.averageLoss(), evaluation.finalLoss(), fitSeconds, evalSeconds);
  }

  public record Summary(long seed, String status, double averageLoss, double finalLoss, double fitSeconds,
      double evalSeconds) {}
}
