package io.flowc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionProfilesTest {

  /** However many kernels a process compiles, one daemon thread makes the calls, and it ends. */
  @Test
  void onePassPerProcessOnADaemonThreadThatEnds() throws InterruptedException {
    FunctionProfiles.warmUp();
    FunctionProfiles.warmUp();
    List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("flowc-function-profiles")).toList();
    assertTrue(threads.size() <= 1, threads.size() + " threads");
    for (Thread t : threads) {
      assertTrue(t.isDaemon(), "a daemon: it must not keep a finished command's process alive");
      t.join(10_000);
      assertTrue(!t.isAlive(), "still calling after 10 s");
    }
    FunctionProfiles.warmUp();
    assertEquals(0, Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("flowc-function-profiles") && t.isAlive()).count(), "started again");
  }
}
