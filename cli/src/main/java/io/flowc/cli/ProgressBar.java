package io.flowc.cli;

import io.flowc.runtime.nfvi.FitCallback;
import io.flowc.runtime.nfvi.FitProgress;
import io.flowc.runtime.nfvi.PyFormat;
import java.io.PrintWriter;

/**
 * A progress bar on a terminal's stderr, redrawn in place at every whole percent with PyMC3's
 * "Average Loss" of the last 1000 steps. Only for terminals: piped output stays clean.
 */
final class ProgressBar implements FitCallback {
  private static final int WIDTH = 30;
  private final PrintWriter err;
  private final int total;
  private int shownPercent = -1;

  ProgressBar(PrintWriter err, int total) {
    this.err = err;
    this.total = Math.max(1, total);
  }

  /** A bar if stderr is a terminal, else nothing. */
  static FitCallback forTerminal(PrintWriter err, int total) {
    return System.console() != null ? new ProgressBar(err, total) : null;
  }

  @Override
  public String afterStep(FitProgress progress) {
    int percent = (int) (100L * progress.iteration() / total);
    if (percent != shownPercent) {
      shownPercent = percent;
      double[] losses = progress.losses();
      double sum = 0;
      int n = 0;
      for (int i = Math.max(0, losses.length - 1000); i < losses.length; i++) {
        if (Double.isFinite(losses[i])) {
          sum += losses[i];
          n++;
        }
      }
      int filled = WIDTH * percent / 100;
      err.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + percent + "% Average Loss = "
          + PyFormat.commaG5(n == 0 ? Double.NaN : sum / n) + (percent == 100 ? "\n" : ""));
      err.flush();
    }
    return null;
  }
}
