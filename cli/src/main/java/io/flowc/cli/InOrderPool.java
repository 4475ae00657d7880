package io.flowc.cli;

import io.flowc.runtime.WorkFailures;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Runs tasks 0..n-1 on a pool of threads and hands their results to a consumer in index order.
 * Only a window of a few tasks per thread is submitted ahead of the consumer, so the results
 * alive at any time do not grow with n (a fit with 100,000 restarts keeps a handful).
 */
final class InOrderPool {
  /** Tasks submitted ahead of the consumer, per thread: enough to keep every thread busy. */
  static final int AHEAD_PER_THREAD = 2;

  private InOrderPool() {}

  /**
   * Runs {@code task} for every index below {@code count} on {@code threads} threads and passes the
   * results to {@code consumer} on the calling thread, in index order. A task's runtime exception is
   * or error is rethrown as it is (a checked exception wrapped) after the remaining tasks are cancelled.
   */
  static <T> void run(int count, int threads, IntFunction<T> task, Consumer<T> consumer) throws InterruptedException {
    int poolSize = Math.max(1, Math.min(count, threads));
    int window = poolSize * AHEAD_PER_THREAD;
    ExecutorService pool = Executors.newFixedThreadPool(poolSize);
    try {
      Deque<Future<T>> pending = new ArrayDeque<>();
      int next = 0;
      while (next < count || !pending.isEmpty()) {
        while (next < count && pending.size() < window) {
          int index = next++;
          pending.add(pool.submit(() -> task.apply(index)));
        }
        consumer.accept(result(pending.poll()));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static <T> T result(Future<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw WorkFailures.cause(e); // an OutOfMemoryError as such, which the command reports
    }
  }
}
