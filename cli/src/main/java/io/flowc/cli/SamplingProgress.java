package io.flowc.cli;

import io.flowc.runtime.nuts.NutsProgress;
import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * NUTS progress on stderr: on a terminal a bar redrawn in place at every whole percent of all
 * chains' iterations and at least every second; otherwise (a log, a pipe) a line every ten
 * seconds, so that short runs print nothing and long ones show they are alive. Each shows the
 * iterations done, whether chains are still tuning, and the time taken.
 *
 * <p>One iteration of a slow model can take many seconds (up to 1023 gradients), so a timer
 * thread, not only the chains, asks for redraws; chains report from their own threads, and
 * drawing is serialized.
 */
final class SamplingProgress implements NutsProgress, AutoCloseable {
  /** How often a terminal's bar is redrawn at least. */
  static final long TERMINAL_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How often a line is written when stderr is not a terminal. */
  static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;
  private final int chains;
  private final int tune;
  private final long total;
  private final LongSupplier clock;
  private final long started;
  private final AtomicLong done = new AtomicLong();
  private final AtomicIntegerArray iterations;
  private volatile long shownAt;
  private boolean lineOpen;
  private ScheduledExecutorService timer;

  /**
   * @param terminal whether {@code err} is a terminal (a bar redrawn in place) or a log
   * @param clock nanoseconds, as {@link System#nanoTime}
   */
  SamplingProgress(PrintWriter err, boolean terminal, int chains, int tune, int draws, LongSupplier clock) {
    this.err = err;
    this.terminal = terminal;
    this.chains = chains;
    this.tune = tune;
    this.total = Math.max(1, (long) chains * (tune + draws));
    this.clock = clock;
    this.started = clock.getAsLong();
    this.shownAt = started;
    this.iterations = new AtomicIntegerArray(chains);
    if (terminal) {
      show();
    }
  }

  /** Progress on the process's stderr, redrawn by a timer as well as by the chains until closed. */
  static SamplingProgress start(PrintWriter err, int chains, int tune, int draws) {
    SamplingProgress progress = new SamplingProgress(err, System.console() != null, chains, tune, draws,
        System::nanoTime);
    progress.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "flowc-progress");
      t.setDaemon(true);
      return t;
    });
    progress.timer.scheduleAtFixedRate(progress::tick, 1, 1, TimeUnit.SECONDS);
    return progress;
  }

  @Override
  public void iterationDone(int chain, int iteration) {
    iterations.set(chain, iteration);
    long now = done.incrementAndGet();
    boolean newPercent = terminal && percent(now) != percent(now - 1);
    // the clock is read without the lock, so that fast chains do not queue for it
    if (newPercent || due()) {
      synchronized (this) {
        if (newPercent || due()) {
          show();
        }
      }
    }
  }

  /** Redraws if the interval has passed since the last drawing. */
  synchronized void tick() {
    if (due()) {
      show();
    }
  }

  private boolean due() {
    return clock.getAsLong() - shownAt >= (terminal ? TERMINAL_INTERVAL_NANOS : LOG_INTERVAL_NANOS);
  }

  private int percent(long count) {
    return (int) (100 * count / total);
  }

  private void show() {
    long now = clock.getAsLong();
    shownAt = now;
    long count = done.get();
    int percent = percent(count);
    String state = "Sampling " + chains + " chain" + (chains > 1 ? "s" : "") + ": " + count + "/" + total
        + " iterations" + (terminal ? "" : " (" + percent + "%)") + ", " + phase() + ", "
        + Math.round((now - started) / 1e9) + " s";
    if (terminal) {
      int filled = WIDTH * percent / 100;
      lineOpen = count < total;
      err.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + percent + "% " + state
          + (lineOpen ? "" : "\n"));
    } else {
      err.println(state);
    }
    err.flush();
  }

  /** "tuning" while some chain is, then "drawing". */
  private String phase() {
    for (int c = 0; c < chains; c++) {
      if (iterations.get(c) < tune) {
        return "tuning";
      }
    }
    return "drawing";
  }

  /** Stops the timer and ends a bar left unfinished (chains that stopped early). */
  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
      try {
        timer.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (lineOpen) {
        err.println();
        err.flush();
        lineOpen = false;
      }
    }
  }
}
