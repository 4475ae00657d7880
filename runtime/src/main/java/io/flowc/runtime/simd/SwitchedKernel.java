package io.flowc.runtime.simd;

import io.flowc.runtime.flow.FlowKernel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One NFVI kernel in two classes with the same bits: the scalar one, and one whose elementwise
 * loops run four elements a vector (docs/internals.md, "Vector loops"). Vector API code is very
 * slow until C2 has compiled the method that runs it (the interpreter and C1 allocate a box per
 * operation: W4's vector class took 12 ms a call at first against 1.4 ms scalar, and about 1 ms
 * for its next 300 calls), so the fit's calls go to the scalar class. Once the kernel has been
 * called for {@link #WARM_AFTER_NANOS} (a shorter fit cannot earn the warm-up back), a thread of
 * its own calls the vector class on a copy of one call's arguments until HotSpot has compiled it:
 * once it has run faster than the fastest of the fit's recent scalar calls {@value #WINS} times in
 * a row, every call of the fit goes to it. Then the thread does the same for {@link #sample},
 * timing both classes itself. Which class answers a call changes no result, so the switch needs no
 * lock: the timings are hints, raced on by a fit's threads without harm.
 */
public final class SwitchedKernel implements FlowKernel {
  /** Faster calls in a row that switch a method to the vector class, so that one lucky call does not decide. */
  static final int WINS = 3;
  /**
   * The warm-up starts once the kernel has been called for this long (docs/performance.md, "Vector
   * loops"): W4's vector class runs a step in 0.65 times the scalar class's time once compiled,
   * but its warm-up took 0.6-1.2 s of a 2-core machine while the fit ran on.
   */
  static final long WARM_AFTER_NANOS = 1_000_000_000L;
  /** Timed scalar calls whose fastest the vector class must beat. */
  private static final int TIMES = 8;
  /** The fit times one scalar call in this many. */
  private static final int TIME_EVERY = 16;
  /** The warm-up stops when the kernel has not been called for this long (the fit ended) ... */
  private static final long IDLE_NANOS = 500_000_000L;
  /** ... or after this long in all, the vector class never faster. */
  private static final long LIMIT_NANOS = 30_000_000_000L;

  private final FlowKernel scalar;
  private final FlowKernel vector;
  private final long warmAfterNanos;
  private final AtomicBoolean warming = new AtomicBoolean();
  private volatile boolean lossSwitched;
  private volatile boolean sampleSwitched;
  /**
   * The fit's last {@value #TIMES} timed scalar calls: the fastest is the time to beat (a call
   * that a garbage collection or another thread held up says nothing about the class).
   */
  private final long[] scalarNanos = new long[TIMES];
  private int timed;
  private volatile long lastCall;
  private volatile long firstCall;
  private int calls;

  public SwitchedKernel(FlowKernel scalar, FlowKernel vector) {
    this(scalar, vector, WARM_AFTER_NANOS);
  }

  /** With the warm-up starting once the kernel has been called for {@code warmAfterNanos}. */
  SwitchedKernel(FlowKernel scalar, FlowKernel vector, long warmAfterNanos) {
    this.warmAfterNanos = warmAfterNanos;
    if (scalar.dimension() != vector.dimension() || scalar.parameterCount() != vector.parameterCount()) {
      throw new IllegalArgumentException("the two classes are not one kernel");
    }
    this.scalar = scalar;
    this.vector = vector;
  }

  /** Whether calls of {@link #lossGradient} go to the vector class now. */
  public boolean switched() {
    return lossSwitched;
  }

  /** Whether calls of {@link #sample} go to the vector class now. */
  public boolean sampleSwitched() {
    return sampleSwitched;
  }

  @Override
  public int dimension() {
    return scalar.dimension();
  }

  @Override
  public int parameterCount() {
    return scalar.parameterCount();
  }

  @Override
  public int workspaceSize() {
    return Math.max(scalar.workspaceSize(), vector.workspaceSize());
  }

  @Override
  public int workspaceSize(double[] data) {
    return Math.max(scalar.workspaceSize(data), vector.workspaceSize(data));
  }

  @Override
  public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] workspace) {
    if (lossSwitched) {
      if (++calls % TIME_EVERY == 0) {
        lastCall = System.nanoTime();
      }
      return vector.lossGradient(theta, eps, draws, gradient, workspace);
    }
    if (++calls % TIME_EVERY != 0) {
      return scalar.lossGradient(theta, eps, draws, gradient, workspace);
    }
    long start = System.nanoTime();
    double out = scalar.lossGradient(theta, eps, draws, gradient, workspace);
    long end = System.nanoTime();
    scalarNanos[timed++ % TIMES] = end - start;
    lastCall = end;
    if (firstCall == 0) {
      firstCall = end;
    } else if (end - firstCall >= warmAfterNanos && !warming.get() && warming.compareAndSet(false, true)) {
      startWarmUp(theta.clone(), eps.clone(), draws, workspace.clone());
    }
    return out;
  }

  @Override
  public void sample(double[] theta, double[] eps, int n, double[] z, double[] logq, double[] workspace) {
    (sampleSwitched ? vector : scalar).sample(theta, eps, n, z, logq, workspace);
    lastCall = System.nanoTime();
  }

  private void startWarmUp(double[] theta, double[] eps, int draws, double[] workspace) {
    lastCall = System.nanoTime();
    Thread thread = new Thread(() -> warmUp(theta, eps, draws, workspace), "flowc-vector-warm-up");
    thread.setDaemon(true);
    thread.start();
  }

  /** The fastest of the fit's last timed scalar calls (none yet: no time to beat). */
  private long scalarTime() {
    long best = Long.MAX_VALUE;
    for (long t : scalarNanos) {
      best = t > 0 ? Math.min(best, t) : best;
    }
    return best == Long.MAX_VALUE ? 0 : best;
  }

  /** Calls the vector class until it is the faster one, or the fit has ended, or the time is up. */
  private void warmUp(double[] theta, double[] eps, int draws, double[] w) {
    double[] gradient = new double[parameterCount()];
    double[] z = new double[draws * dimension()];
    double[] logq = new double[draws];
    long begin = System.nanoTime();
    int wins = 0;
    long scalarSample = Long.MAX_VALUE;
    while (!sampleSwitched) {
      long now = System.nanoTime();
      if (now - begin > LIMIT_NANOS || now - lastCall > IDLE_NANOS) {
        return;
      }
      if (!lossSwitched) {
        vector.lossGradient(theta, eps, draws, gradient, w);
        long took = System.nanoTime() - now;
        wins = took < scalarTime() ? wins + 1 : 0;
        if (wins >= WINS) {
          lossSwitched = true;
          wins = 0;
        }
      } else {
        // both classes in turn: the scalar sampler may not have run yet either, and its best time
        // so far is the one to beat
        scalar.sample(theta, eps, draws, z, logq, w);
        scalarSample = Math.min(scalarSample, System.nanoTime() - now);
        now = System.nanoTime();
        vector.sample(theta, eps, draws, z, logq, w);
        wins = System.nanoTime() - now < scalarSample ? wins + 1 : 0;
        sampleSwitched = wins >= WINS;
      }
    }
  }
}
