package io.flowc.runtime;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Work begun on a thread of its own while the caller goes on, whose result, or failure, the
 * caller takes with {@link #join}. A fresh process's compile is mostly bytecode the JVM still
 * interprets, one processor's worth at a time; parts that need not wait for each other (a data
 * file read while the model is parsed, the data's domains checked while the model is compiled, a
 * fit's log density compiled beside its flow's kernel, a model's log density beside its gradient)
 * take a second processor where there is one (docs/performance.md, "Compiling on two processors"). A failure surfaces at {@code join}, where
 * the caller puts it in the order the commands have always reported failures in; with one
 * processor the work runs at once on the caller's thread, its failure held for {@code join} all the same.
 */
public final class Background<T> {
  /** Stack size of the threads started here: the front end, the interpreter and the lowering recurse on deep models. */
  public static final long STACK_BYTES = 512L << 20;

  private final FutureTask<T> task;

  private Background(FutureTask<T> task) {
    this.task = task;
  }

  /** Starts {@code work} on a daemon thread named {@code flowc-NAME} (runs it now with one processor). */
  public static <T> Background<T> start(String name, Callable<T> work) {
    FutureTask<T> task = new FutureTask<>(work);
    if (Runtime.getRuntime().availableProcessors() < 2) {
      task.run();
    } else {
      Thread thread = new Thread(null, task, "flowc-" + name, STACK_BYTES);
      thread.setDaemon(true);
      thread.start();
    }
    return new Background<>(task);
  }

  /** A result already known. */
  public static <T> Background<T> done(T value) {
    FutureTask<T> task = new FutureTask<>(() -> value);
    task.run();
    return new Background<>(task);
  }

  /**
   * The work's result once it is done; its exception or error thrown again as it was (a checked
   * exception, which no work started here throws, wrapped).
   */
  public T join() {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return task.get();
        } catch (InterruptedException e) {
          // the work is short and its result needed: wait on, and keep the interrupt for the caller
          interrupted = true;
        } catch (ExecutionException e) {
          throw WorkFailures.cause(e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
