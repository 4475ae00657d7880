package io.flowc.cli;

import io.flowc.runtime.nuts.NutsProgress;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A progress bar for NUTS on a terminal's stderr, redrawn at every whole percent of all chains'
 * iterations. Chains report from their own threads; only the thread that crosses a percent draws.
 */
final class SamplingProgress implements NutsProgress {
  private static final int WIDTH = 30;
  private final PrintWriter err;
  private final int chains;
  private final long total;
  private final AtomicLong done = new AtomicLong();

  private SamplingProgress(PrintWriter err, int chains, long total) {
    this.err = err;
    this.chains = chains;
    this.total = Math.max(1, total);
  }

  /** A bar if stderr is a terminal, else nothing. */
  static NutsProgress forTerminal(PrintWriter err, int chains, long total) {
    return System.console() != null ? new SamplingProgress(err, chains, total) : null;
  }

  @Override
  public void iterationDone(int chain, int iteration) {
    long now = done.incrementAndGet();
    int percent = (int) (100 * now / total);
    if (percent != (int) (100 * (now - 1) / total)) {
      synchronized (this) {
        int filled = WIDTH * percent / 100;
        err.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + percent + "% Sampling " + chains
            + " chain" + (chains > 1 ? "s" : "") + (percent == 100 ? "\n" : ""));
        err.flush();
      }
    }
  }
}
