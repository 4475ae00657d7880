package io.flowc.runtime.many;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A stream mapped on a pool of threads, lazily and in order: the input is read only a few elements
 * per thread ahead of the results taken, so memory holds a window of sets, never the whole input.
 */
public final class InOrderStream {
  /** Elements submitted ahead of the consumer, per thread: enough to keep every thread busy. */
  static final int AHEAD_PER_THREAD = 2;

  private static final AtomicInteger POOLS = new AtomicInteger();

  private InOrderStream() {}

  /**
   * {@code input} mapped by {@code task} on {@code threads} threads, results in input order; a
   * task's exception stops the stream (tasks that must not stop it catch their own).
   */
  public static <T, R> Stream<R> map(Stream<T> input, int threads, Function<T, R> task) {
    Mapped<T, R> mapped = new Mapped<>(input.sequential().iterator(), threads, task);
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(mapped, Spliterator.ORDERED | Spliterator.NONNULL),
        false).onClose(mapped::close).onClose(input::close);
  }

  private static final class Mapped<T, R> implements Iterator<R> {
    private final Iterator<T> input;
    private final Function<T, R> task;
    private final int threads;
    private final Deque<Future<R>> pending = new ArrayDeque<>();
    private ExecutorService pool;
    private boolean closed;

    Mapped(Iterator<T> input, int threads, Function<T, R> task) {
      this.input = input;
      this.threads = threads;
      this.task = task;
    }

    @Override
    public boolean hasNext() {
      fill();
      if (pending.isEmpty()) {
        close();
        return false;
      }
      return true;
    }

    @Override
    public R next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Future<R> head = pending.poll();
      try {
        R result = head.get();
        fill();
        return result;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("interrupted while fitting", e);
      } catch (ExecutionException e) {
        close();
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
      }
    }

    private void fill() {
      if (closed) {
        return;
      }
      while (pending.size() < threads * AHEAD_PER_THREAD && input.hasNext()) {
        T element = input.next();
        pending.add(pool().submit(() -> task.apply(element)));
      }
    }

    private ExecutorService pool() {
      if (pool == null) {
        int id = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        // daemon threads: a stream abandoned without close must not keep the JVM alive
        pool = Executors.newFixedThreadPool(threads, r -> {
          Thread t = new Thread(r, "flowc-many-" + id + "-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
      }
      return pool;
    }

    void close() {
      closed = true;
      pending.forEach(f -> f.cancel(true));
      pending.clear();
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }
}
