package io.flowc.runtime;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Calls the flows' functions with arguments that take every one of their branches, on a daemon
 * thread, while a fit's kernel is being compiled or loaded from an artifact (docs/performance.md,
 * "JIT options"). HotSpot's C2
 * compiles a branch that a function's profile has never seen taken as a trap: the first argument
 * that takes it (tanh of a number above 0.625 once a fit's planar flows grow) throws away the
 * compiled kernel method that inlined the function, which then runs interpreted until it is
 * compiled again: W1's fits lost two of their batched body's methods and tanh's own code so, one of
 * them 9,000 steps in. With every branch in the profile the code has them all. The calls change
 * nothing but HotSpot's counters; each function is called 1,600 times over 40 ms, a few
 * milliseconds of a core.
 */
public final class FunctionProfiles {
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  /**
   * Rounds of calls, a pause between them, so that C1 has compiled the functions with their
   * profiles in the later ones; 1,600 calls of each in all, fewer than make C2 compile a function
   * (5,000), whose one thread a neural fit's kernel needs at the same time.
   */
  private static final int ROUNDS = 8;

  private static final int CALLS = 200;

  /** Arguments for tanh's two branches (and both signs), sigmoid's two, softplus's and log1p's ranges. */
  private static final double[] ARGUMENTS = {0.1, -0.3, 0.9, -2.5, 7.0, -30.0, 40.0, 0.0, 1e-9, -0.99};

  private static volatile double sink;

  private FunctionProfiles() {}

  /** Starts the calls once per process; later calls do nothing. */
  public static void warmUp() {
    if (STARTED.getAndSet(true)) {
      return;
    }
    Thread thread = new Thread(FunctionProfiles::run, "flowc-function-profiles");
    thread.setDaemon(true);
    thread.start();
  }

  private static void run() {
    double sum = 0;
    for (int round = 0; round < ROUNDS; round++) {
      for (int i = 0; i < CALLS; i++) {
        double x = ARGUMENTS[i % ARGUMENTS.length];
        double y = ARGUMENTS[(i / ARGUMENTS.length) % ARGUMENTS.length];
        sum += MathFunctions.tanh(x) + MathFunctions.sigmoid(x) + MathFunctions.softplus(x)
            + MathFunctions.logaddexp(x, y) + MathFunctions.log1p(x);
      }
      sum += MathFunctions.tanh(Double.NaN) + MathFunctions.softplus(Double.NaN)
          + MathFunctions.logaddexp(Double.NEGATIVE_INFINITY, 0.0);
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    sink = sum;
  }
}
