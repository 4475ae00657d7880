package io.flowc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BackgroundTest {
  @Test
  @Timeout(10)
  void theResultIsTheWorksAndTheWorkRunsBesideTheCaller() {
    boolean twoProcessors = Runtime.getRuntime().availableProcessors() > 1;
    // with two processors the work waits for the caller, so it cannot run on the caller's thread
    CountDownLatch callerWaits = new CountDownLatch(twoProcessors ? 1 : 0);
    Background<String> work = Background.start("test", () -> {
      callerWaits.await();
      return Thread.currentThread().getName();
    });
    callerWaits.countDown();
    assertEquals(twoProcessors ? "flowc-test" : Thread.currentThread().getName(), work.join());
    assertEquals(7, Background.done(7).join());
  }

  @Test
  void aFailureIsThrownAtJoinAsItWas() {
    IllegalArgumentException thrown = new IllegalArgumentException("bad data");
    Background<Object> failing = Background.start("failing", () -> {
      throw thrown;
    });
    assertSame(thrown, assertThrows(IllegalArgumentException.class, failing::join));
    // and again at a second join
    assertSame(thrown, assertThrows(IllegalArgumentException.class, failing::join));
    StackOverflowError deep = new StackOverflowError();
    assertSame(deep, assertThrows(StackOverflowError.class, Background.start("deep", () -> {
      throw deep;
    })::join));
    Exception checked = new Exception("checked");
    IllegalStateException wrapped = assertThrows(IllegalStateException.class, Background.start("checked", () -> {
      throw checked;
    })::join);
    assertSame(checked, wrapped.getCause());
  }

  @Test
  @Timeout(10)
  void anInterruptedCallerStillGetsTheResultAndKeepsItsInterrupt() throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread releaser = new Thread(() -> {
      try {
        started.await();
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      release.countDown();
    });
    releaser.start();
    Background<Integer> work = Background.start("slow", () -> {
      started.countDown();
      release.await();
      return 42;
    });
    Thread.currentThread().interrupt();
    try {
      assertEquals(42, work.join());
      assertTrue(Thread.interrupted(), "the interrupt is kept");
    } finally {
      Thread.interrupted();
      releaser.join();
    }
  }
}
