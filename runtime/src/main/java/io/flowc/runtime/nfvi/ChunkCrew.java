package io.flowc.runtime.nfvi;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed crew of threads that runs tasks 0..n-1 of one job at a time, the calling thread taking
 * part; {@link #run} returns when every task has finished. Tasks are claimed in index order from
 * a shared counter, so which thread runs which task varies, and the tasks must not depend on it.
 * Every job has the same n, so a helper still leaving the previous job can only claim tasks of
 * the next one once its counter is reset, which it then runs for it. Nothing is allocated per
 * job: a step of a fit runs thousands of them, a NUTS chain split into chunks of rows
 * ({@link io.flowc.runtime.data.RowChunks}) one per gradient. A thread that waits checks for a
 * while before it parks ({@link #WAIT_NANOS}), as jobs follow each other within microseconds.
 */
public final class ChunkCrew implements AutoCloseable {
  private final IntConsumer task;
  private final Runnable afterJob;
  private final Thread[] helpers;
  private final Thread owner;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger finished = new AtomicInteger();
  private final int count;
  private volatile int job;
  private volatile boolean closed;
  private volatile Throwable failure;

  /** A crew of {@code threads} (the caller of {@link #run} and threads - 1 daemon helpers) for jobs of {@code tasks} tasks. */
  public ChunkCrew(int threads, int tasks, IntConsumer task) {
    this(threads, tasks, task, null);
  }

  /**
   * A crew whose threads, each time they find no task of a job left to claim, run
   * {@code afterJob} (null: nothing) before they wait: work for a thread that would otherwise
   * wait for the job's last task (the owner) or for the next job (a helper), which {@link #run}
   * does not wait for when a helper runs it. It must not throw.
   */
  public ChunkCrew(int threads, int tasks, IntConsumer task, Runnable afterJob) {
    if (threads < 1 || tasks < 1) {
      throw new IllegalArgumentException("threads and tasks must be >= 1");
    }
    this.count = tasks;
    this.task = task;
    this.afterJob = afterJob;
    this.owner = Thread.currentThread();
    this.helpers = new Thread[threads - 1];
    for (int i = 0; i < helpers.length; i++) {
      Thread t = new Thread(this::help, "flowc-step-" + (i + 1));
      t.setDaemon(true);
      helpers[i] = t;
      t.start();
    }
  }

  /** Runs every task and waits for all; rethrows the first failure of any of them. */
  public void run() {
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("a crew runs jobs for the thread that made it");
    }
    failure = null;
    // finished before next: once next is 0 the job's tasks may be claimed and counted
    finished.set(0);
    next.set(0);
    job++;
    for (Thread t : helpers) {
      LockSupport.unpark(t);
    }
    work();
    if (!waitBriefly(true, job)) {
      while (finished.get() < count) {
        LockSupport.park(this);
      }
    }
    Throwable t = failure;
    if (t instanceof RuntimeException r) {
      throw r;
    } else if (t instanceof Error e) {
      throw e;
    }
  }

  private void work() {
    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
      try {
        task.accept(i);
      } catch (Throwable t) {
        if (failure == null) {
          failure = t;
        }
      }
      if (finished.incrementAndGet() == count) {
        LockSupport.unpark(owner);
      }
    }
    if (afterJob != null) {
      afterJob.run();
    }
  }

  private void help() {
    int seen = 0;
    while (!closed) {
      if (job == seen) {
        if (!waitBriefly(false, seen)) {
          LockSupport.park(this);
        }
        continue;
      }
      seen = job;
      work();
    }
  }

  /**
   * How long a thread that waits (a helper for the next job, the owner for the last task) keeps
   * checking before it parks. Parking and waking a thread cost 10-50 µs, more than a whole W1
   * step (two chunks of about 14 µs): parked helpers made W1 on two threads slower than on one
   * (54 against 33 µs a step), waiting ones 1.6x faster (20 µs). Most waits are a few
   * microseconds: the optimizer's update and the next step's base draws.
   */
  private static final long WAIT_NANOS = 100_000;

  /**
   * Within a wait, how long a thread only spins; after that it yields the processor between
   * checks, so that on a machine with as many threads as cores HotSpot's compiler threads (busy
   * as a fit starts) and other processes still run.
   */
  private static final long SPIN_NANOS = 2_000;

  /**
   * Waits up to {@link #WAIT_NANOS} for every task of the current job to finish
   * ({@code lastTask}: the owner), or for a job after {@code seen} or the crew's closing (a
   * helper); false if it did not come.
   */
  private boolean waitBriefly(boolean lastTask, int seen) {
    long start = System.nanoTime();
    while (true) {
      for (int i = 0; i < 64; i++) {
        if (lastTask ? finished.get() >= count : job != seen || closed) {
          return true;
        }
        Thread.onSpinWait();
      }
      long spent = System.nanoTime() - start;
      if (spent > WAIT_NANOS) {
        return false;
      }
      if (spent > SPIN_NANOS) {
        Thread.yield();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread t : helpers) {
      LockSupport.unpark(t);
    }
  }
}
