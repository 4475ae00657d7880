package io.flowc.runtime.nfvi;

import java.util.ArrayList;
import java.util.List;

/**
 * Picks the restart a fit reports while they arrive: the succeeded one with the lowest final loss
 * (the first of equals), or the first restart if none succeeded. Only that restart's fitted state
 * is kept, with a small summary of every restart, so that memory does not grow with their number.
 */
public final class RestartSelection {
  private final List<Restart.Summary> summaries = new ArrayList<>();
  private Restart best;
  private int failures;

  public void add(Restart restart) {
    summaries.add(restart.summary());
    if (!restart.succeeded()) {
      failures++;
      if (best == null) {
        best = restart;
      }
    } else if (best == null || !best.succeeded()
        || restart.evaluation().finalLoss() < best.evaluation().finalLoss()) {
      best = restart;
    }
  }

  /** The restart to report; null before the first is added. */
  public Restart best() {
    return best;
  }

  /** How many restarts did not succeed (their loss or final loss was not finite). */
  public int failures() {
    return failures;
  }

  /** Every restart's summary, in the order they were added. */
  public List<Restart.Summary> summaries() {
    return List.copyOf(summaries);
  }
}
