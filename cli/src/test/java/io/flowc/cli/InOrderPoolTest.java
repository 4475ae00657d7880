package io.flowc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InOrderPoolTest {

  /** Results arrive in index order, and no more than the window of them is ever alive at once. */
  @Test
  void resultsComeInOrderAndOnlyAWindowOfThemIsAlive() throws InterruptedException {
    int threads = 3;
    AtomicInteger consumed = new AtomicInteger();
    AtomicInteger mostAlive = new AtomicInteger();
    List<Integer> seen = new ArrayList<>();
    InOrderPool.run(2000, threads, index -> {
      // started but not yet consumed, this one included
      mostAlive.accumulateAndGet(index + 1 - consumed.get(), Math::max);
      return index;
    }, index -> {
      seen.add(index);
      consumed.incrementAndGet();
    });
    assertEquals(2000, seen.size());
    for (int i = 0; i < seen.size(); i++) {
      assertEquals(i, seen.get(i));
    }
    assertTrue(mostAlive.get() <= threads * InOrderPool.AHEAD_PER_THREAD, "alive at once: " + mostAlive.get());
  }

  @Test
  void aTasksExceptionOrErrorIsRethrownAsItIs() {
    IllegalArgumentException thrown = new IllegalArgumentException("task 5");
    assertSame(thrown, assertThrows(IllegalArgumentException.class, () -> InOrderPool.run(20, 2, index -> {
      if (index == 5) {
        throw thrown;
      }
      return index;
    }, index -> {})));
    OutOfMemoryError error = new OutOfMemoryError("test");
    assertSame(error, assertThrows(OutOfMemoryError.class, () -> InOrderPool.run(3, 2, index -> {
      throw error;
    }, index -> {})));
  }
}
