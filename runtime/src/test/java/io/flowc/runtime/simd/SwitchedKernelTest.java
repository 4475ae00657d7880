package io.flowc.runtime.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.flow.FlowKernel;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The switch between a kernel's scalar and vector classes, with stand-ins whose calls take a
 * known least time (a busy wait): far apart, so that no scheduling delay can reverse their order
 * three probes in a row. Which class answered is read from the results, which differ here only
 * to be told apart (the real classes' results are the same bits).
 */
class SwitchedKernelTest {
  private static final long TIMEOUT_NANOS = 30_000_000_000L;

  /** A kernel whose calls take at least {@code micros} and return {@code tag}. */
  private static class Busy implements FlowKernel {
    final double tag;
    final long nanos;
    final AtomicInteger losses = new AtomicInteger();
    final AtomicInteger samples = new AtomicInteger();

    Busy(double tag, long micros) {
      this.tag = tag;
      this.nanos = micros * 1000;
    }

    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public int parameterCount() {
      return 3;
    }

    @Override
    public int workspaceSize() {
      return tag > 1 ? 10 : 7;
    }

    private void busy() {
      long end = System.nanoTime() + nanos;
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
    }

    @Override
    public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] workspace) {
      losses.incrementAndGet();
      busy();
      gradient[0] = tag;
      return tag;
    }

    @Override
    public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] workspace) {
      samples.incrementAndGet();
      busy();
      logq[0] = tag;
    }
  }

  private static double call(FlowKernel k) {
    return k.lossGradient(new double[3], new double[2], 1, new double[3], new double[k.workspaceSize()]);
  }

  private static double sample(FlowKernel k) {
    double[] logq = new double[1];
    k.sample(new double[3], new double[2], 1, new double[2], logq, new double[k.workspaceSize()]);
    return logq[0];
  }

  @Test
  void aFasterVectorClassTakesOverTheFitsCallsAndThenTheSampler() {
    Busy scalar = new Busy(1, 2000);
    Busy vector = new Busy(2, 50);
    SwitchedKernel k = new SwitchedKernel(scalar, vector, 0);
    assertEquals(10, k.workspaceSize(), "room for either class");
    long start = System.nanoTime();
    while (!k.switched() && System.nanoTime() - start < TIMEOUT_NANOS) {
      assertEquals(1.0, call(k), "the scalar class answers until the switch");
    }
    assertTrue(k.switched(), "switched");
    int vectorCalls = vector.losses.get();
    assertEquals(2.0, call(k), "then the vector class");
    assertTrue(vector.losses.get() > vectorCalls, "called by the fit");
    while (!k.sampleSwitched() && System.nanoTime() - start < TIMEOUT_NANOS) {
      assertEquals(1.0, sample(k), "the scalar sampler until the sampler's switch");
    }
    assertTrue(k.sampleSwitched(), "the sampler switched");
    assertEquals(2.0, sample(k));
  }

  @Test
  void aSlowerVectorClassIsNeverSwitchedTo() throws Exception {
    Busy scalar = new Busy(1, 50);
    Busy vector = new Busy(2, 3000);
    SwitchedKernel k = new SwitchedKernel(scalar, vector, 0);
    long start = System.nanoTime();
    while (vector.losses.get() < 20 && System.nanoTime() - start < TIMEOUT_NANOS) {
      assertEquals(1.0, call(k));
    }
    assertTrue(vector.losses.get() >= 20, "the warm-up called the vector class");
    assertFalse(k.switched());
  }

  @Test
  void theWarmUpWaitsForALongFitAndEndsWithIt() throws Exception {
    Busy scalar = new Busy(1, 10);
    Busy vector = new Busy(2, 10);
    SwitchedKernel k = new SwitchedKernel(scalar, vector, 200_000_000L);
    for (int c = 0; c < 64; c++) {
      call(k);
    }
    assertEquals(0, vector.losses.get(), "a short fit never calls the vector class");
    long start = System.nanoTime();
    while (vector.losses.get() == 0 && System.nanoTime() - start < TIMEOUT_NANOS) {
      call(k);
    }
    assertTrue(vector.losses.get() > 0, "warming up after 0.2 s of calls");
    // the fit stops calling: the warm-up ends
    long idle = System.nanoTime();
    while (warmUpRuns() && System.nanoTime() - idle < TIMEOUT_NANOS) {
      Thread.sleep(20);
    }
    assertFalse(warmUpRuns(), "the warm-up thread ended");
  }

  @Test
  void theClassesMustBeOneKernel() {
    FlowKernel other = new Busy(2, 0) {
      @Override
      public int parameterCount() {
        return 4;
      }
    };
    assertThrows(IllegalArgumentException.class, () -> new SwitchedKernel(new Busy(1, 0), other));
  }

  private static boolean warmUpRuns() {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("flowc-vector-warm-up"));
  }
}
