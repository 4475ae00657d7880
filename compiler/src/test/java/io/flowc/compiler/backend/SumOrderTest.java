package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.flowc.compiler.ir.Op;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.Kernel.Array;
import io.flowc.compiler.kernel.Kernel.At;
import io.flowc.compiler.kernel.Kernel.Element;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.Reduce;
import io.flowc.compiler.kernel.Kernel.Region;
import io.flowc.compiler.kernel.Kernel.Return;
import io.flowc.compiler.kernel.Kernel.Store;
import io.flowc.compiler.kernel.Kernel.Temp;
import io.flowc.compiler.kernel.KernelInterpreter;
import io.flowc.compiler.kernel.Lin;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.Sums;
import io.flowc.runtime.jit.HiddenClasses;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sums in the order of {@link Sums} (four lanes) in every backend, for lengths known when the
 * kernel compiles and lengths read at run time, each of 0 to 13 terms, so that every remainder
 * modulo four is realigned; and sums across draws in one chain. The terms are chosen so that one
 * chain, the lanes and any other grouping give other bits: a backend that added in one chain
 * where lanes are asked (or the other way round) fails.
 */
class SumOrderTest {
  private static final int MAX = 13;
  /** w[0]: the run-time length; the terms from TERMS; each sum's result from RESULTS. */
  private static final int TERMS = 8;
  private static final int RESULTS = 40;
  private static final int SUMS = 6;

  private static double[] terms() {
    double[] t = new double[MAX];
    for (int i = 0; i < MAX; i++) {
      // lane 1 holds multiples of 2^53 of alternating signs, which absorb a small term in one
      // grouping and not in another
      t[i] = i % 4 == 1 ? Math.scalb(1.0 + i, 53) * (i % 8 == 1 ? 1 : -1) : 1.0 + i / 6.0;
    }
    return t;
  }

  private static double chain(double[] t, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) {
      s += t[i];
    }
    return s;
  }

  /**
   * Per length: a Reduce in lanes and one in one chain, fused sums in lanes and in one chain, alone
   * and side by side; the length constant or read from w[0].
   */
  private static Kernel kernel(Lin length) {
    Region terms = new Region(Array.WORK, TERMS);
    List<Instr> body = new ArrayList<>();
    Temp[] t = {new Temp(0), new Temp(1), new Temp(2), new Temp(3), new Temp(4), new Temp(5)};
    body.add(new Reduce(t[0], Op.SUM, terms, length, true));
    body.add(new Reduce(t[5], Op.SUM, terms, length, false));
    body.add(new Fused(length, List.of(new LaneSum(t[1], new At(terms), true))));
    body.add(new Fused(length, List.of(new LaneSum(t[2], new At(terms), false))));
    // a sum in lanes and one in one chain in the same loop
    body.add(new Fused(length, List.of(new LaneSum(t[3], new At(terms), true), new LaneSum(t[4], new At(terms), false))));
    for (int k = 0; k < SUMS; k++) {
      body.add(new Store(new Element(Array.WORK, RESULTS + k), t[k]));
    }
    body.add(new Return(t[0]));
    return new Kernel(0, RESULTS + SUMS, 0, SUMS, body);
  }

  private static double[] workspace(int n) {
    double[] w = new double[RESULTS + SUMS];
    w[0] = n;
    System.arraycopy(terms(), 0, w, TERMS, MAX);
    return w;
  }

  private static List<LogDensity> backends(Kernel k, String name) throws Exception {
    ModelKernels kernels = new ModelKernels(name, "", k, k);
    LogDensity asm = HiddenClasses.defineLogDensity(BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + name));
    LogDensity java = (LogDensity) InMemoryJavac.load(
        InMemoryJavac.compile(JavaSourceBackend.emit(kernels, "io.flowc.generated", name)), "io.flowc.generated." + name)
        .getDeclaredConstructor().newInstance();
    return List.of(asm, java);
  }

  private static void check(Kernel k, int n, List<LogDensity> backends, String where) {
    double[] t = terms();
    double lanes = Sums.sum(t, 0, n, 1);
    double[] expected = {lanes, lanes, chain(t, n), lanes, chain(t, n), chain(t, n)};
    double[] interpreted = workspace(n);
    new KernelInterpreter(k).run(new double[0], new double[0], interpreted, null, 0);
    for (int s = 0; s < SUMS; s++) {
      assertEquals(Double.doubleToRawLongBits(expected[s]), Double.doubleToRawLongBits(interpreted[RESULTS + s]),
          where + ", sum " + s + ", kernel interpreter");
    }
    for (LogDensity d : backends) {
      double[] w = workspace(n);
      d.logDensity(new double[0], w);
      for (int s = 0; s < SUMS; s++) {
        assertEquals(Double.doubleToRawLongBits(expected[s]), Double.doubleToRawLongBits(w[RESULTS + s]),
            where + ", sum " + s + ", " + d.getClass().getSimpleName());
      }
    }
  }

  @Test
  void theLanesAreTheSameInEveryBackendForEveryLength() throws Exception {
    Kernel free = kernel(Lin.slot(0, 1));
    List<LogDensity> freeBackends = backends(free, "SumsFree");
    for (int n = 0; n <= MAX; n++) {
      Kernel fixed = kernel(Lin.of(n));
      check(fixed, n, backends(fixed, "SumsFixed" + n), n + " terms, length compiled in");
      check(free, n, freeBackends, n + " terms, length read at run time");
    }
  }

  @Test
  void theTermsShowTheOrder() {
    double[] t = terms();
    for (int n = Sums.LANES; n <= MAX; n++) {
      assertNotEquals(chain(t, n), Sums.sum(t, 0, n, 1), n + " terms");
    }
    for (int n = 0; n < Sums.LANES; n++) {
      assertEquals(Double.doubleToRawLongBits(chain(t, n)), Double.doubleToRawLongBits(Sums.sum(t, 0, n, 1)),
          "up to three terms the lanes are one chain: " + n);
    }
  }
}
