package io.flowc.compiler.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.ir.Op;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.Kernel.Array;
import io.flowc.compiler.kernel.Kernel.At;
import io.flowc.compiler.kernel.Kernel.Element;
import io.flowc.compiler.kernel.Kernel.Fused;
import io.flowc.compiler.kernel.Kernel.Instr;
import io.flowc.compiler.kernel.Kernel.Invariant;
import io.flowc.compiler.kernel.Kernel.Lane;
import io.flowc.compiler.kernel.Kernel.LaneAssign;
import io.flowc.compiler.kernel.Kernel.LaneSum;
import io.flowc.compiler.kernel.Kernel.LaneWrite;
import io.flowc.compiler.kernel.Kernel.Loop;
import io.flowc.compiler.kernel.Kernel.Move;
import io.flowc.compiler.kernel.Kernel.Reduce;
import io.flowc.compiler.kernel.Kernel.Region;
import io.flowc.compiler.kernel.Kernel.Return;
import io.flowc.compiler.kernel.Kernel.Splat;
import io.flowc.compiler.kernel.Kernel.Store;
import io.flowc.compiler.kernel.Kernel.Temp;
import io.flowc.compiler.kernel.KernelInterpreter;
import io.flowc.compiler.kernel.Lin;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.Sums;
import io.flowc.runtime.jit.HiddenClasses;
import io.flowc.runtime.simd.Simd;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loops four elements a vector ({@link VectorLoops}) against the same loops scalar and the kernel
 * interpreter, bit for bit, for every length from 0 to {@value #MAX}, compiled in and read at run
 * time, so that every remainder modulo four goes through the scalar tail: sums in lanes alone,
 * side by side and beside writes, each op the vectors compute, invariants, in-place updates, and
 * loops that must stay scalar. The values are chosen so that any other order of a sum's terms
 * gives other bits.
 */
class VectorLoopsTest {
  private static final int MAX = 41;
  /** w[0]: the run-time length; inputs a and b; outputs from OUT; sums' results from RESULTS. */
  private static final int A = 8;
  private static final int B = A + MAX;
  private static final int C = B + MAX;
  private static final int OUT = C + MAX;
  private static final int OUTPUTS = 6;
  private static final int RESULTS = OUT + OUTPUTS * MAX;
  private static final int SUMS = 4;
  private static final int SIZE = RESULTS + SUMS;

  private static int counter;

  @BeforeAll
  static void moduleIsPresent() {
    assertTrue(Simd.enabled(), "the vector module in the test JVM (surefire's argLine)");
  }

  private static double a(int i) {
    // multiples of 2^53 of alternating signs in every fourth element, which absorb small terms
    // in one grouping and not in another
    return i % 4 == 1 ? Math.scalb(1.0 + i, 53) * (i % 8 == 1 ? 1 : -1) : 1.0 + i / 7.0;
  }

  private static double b(int i) {
    return i % 3 == 0 ? -0.0 : 0.5 + i / 3.0;
  }

  /** Loops of every kind that runs in vectors, over {@code length}. */
  private static Kernel kernel(Lin length) {
    Region a = new Region(Array.WORK, A);
    Region b = new Region(Array.WORK, B);
    Region c = new Region(Array.WORK, C);
    Temp[] t = {new Temp(0), new Temp(1), new Temp(2), new Temp(3)};
    Temp x = new Temp(9);
    List<Instr> body = new ArrayList<>();
    body.add(new Kernel.Assign(x, Op.DIV, new int[0], List.of(new Element(Array.WORK, A + 2), new Kernel.Const(3.0))));
    body.add(new Reduce(t[0], Op.SUM, a, length, true));
    // out0 = (a - x) * b / (b + 1.5), out1 = -(a*a), sums of out0 and of a*b, in-place c += a
    Lane l0 = new Lane(0);
    Lane l1 = new Lane(1);
    Lane l2 = new Lane(2);
    Lane l3 = new Lane(3);
    Lane l4 = new Lane(4);
    Lane l5 = new Lane(5);
    body.add(new Fused(length, List.of(
        new LaneAssign(l0, Op.SUB, new int[0], List.of(new At(a), new Invariant(x))),
        new LaneAssign(l1, Op.MUL, new int[0], List.of(l0, new At(b))),
        new LaneAssign(l2, Op.ADD, new int[0], List.of(new At(b), new Invariant(new Kernel.Const(1.5)))),
        new LaneAssign(l3, Op.DIV, new int[0], List.of(l1, l2)),
        new LaneWrite(new Region(Array.WORK, OUT), l3),
        new LaneSum(t[1], l3, true),
        new LaneAssign(l4, Op.SQUARE, new int[0], List.of(new At(a))),
        new LaneAssign(l5, Op.NEG, new int[0], List.of(l4)),
        new LaneWrite(new Region(Array.WORK, OUT + MAX), l5),
        new LaneAssign(new Lane(6), Op.MUL, new int[0], List.of(new At(a), new At(b))),
        new LaneSum(t[2], new Lane(6), true),
        new LaneAssign(new Lane(7), Op.ADD, new int[0], List.of(new At(c), new At(a))),
        new LaneWrite(c, new Lane(7)),
        // -(-0.0) is 0.0 and -(0.5) -0.5: negation flips the sign bit, zeros included
        new LaneAssign(new Lane(8), Op.NEG, new int[0], List.of(new At(b))),
        new LaneWrite(new Region(Array.WORK, OUT + 5 * MAX), new Lane(8)))));
    body.add(new Loop(new Region(Array.WORK, OUT + 2 * MAX), length, Op.MUL, new int[0],
        List.of(b, new Splat(new Element(Array.WORK, A + 3)))));
    body.add(new Move(new Region(Array.WORK, OUT + 3 * MAX), length, a));
    // stays scalar: it reads an element two ahead of one it writes
    body.add(new Loop(new Region(Array.WORK, OUT + 4 * MAX), length, Op.ADD, new int[0],
        List.of(new Region(Array.WORK, OUT + 4 * MAX + 2), a)));
    body.add(new Fused(length, List.of(new LaneSum(t[3], new At(b), true))));
    for (int k = 0; k < SUMS; k++) {
      body.add(new Store(new Element(Array.WORK, RESULTS + k), t[k]));
    }
    body.add(new Return(t[0]));
    return new Kernel(0, SIZE, 0, 10, body);
  }

  private static double[] workspace(int n) {
    double[] w = new double[SIZE + 2];
    w[0] = n;
    for (int i = 0; i < MAX; i++) {
      w[A + i] = a(i);
      w[B + i] = b(i);
      w[C + i] = 0.25 * i - 3;
    }
    for (int i = OUT; i < SIZE + 2; i++) {
      w[i] = 0.125 * (i % 17);
    }
    return w;
  }

  private static LogDensity load(Kernel k, String name, boolean vectorLoops) {
    ModelKernels kernels = new ModelKernels(name, "", k, k);
    byte[] bytecode = BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + name + (counter++), vectorLoops);
    BackendAgreementTest.verify(bytecode);
    if (vectorLoops) {
      assertTrue(new String(bytecode, StandardCharsets.ISO_8859_1).contains("jdk/incubator/vector/DoubleVector"),
          name + " has vector loops");
    }
    return HiddenClasses.defineLogDensity(bytecode);
  }

  private static void check(Kernel k, int n, LogDensity scalar, LogDensity vector, String where) {
    double[] expected = workspace(n);
    scalar.logDensity(new double[0], expected);
    double[] interpreted = workspace(n);
    new KernelInterpreter(k).run(new double[0], new double[0], interpreted, null, 0);
    double[] got = workspace(n);
    vector.logDensity(new double[0], got);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(interpreted[i]),
          where + ", w[" + i + "], kernel interpreter");
      assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(got[i]),
          where + ", w[" + i + "], vector loops");
    }
  }

  @Test
  void vectorLoopsHaveTheScalarBitsForEveryLength() {
    Kernel free = kernel(Lin.slot(0, 1));
    LogDensity freeScalar = load(free, "LoopsFree", false);
    LogDensity freeVector = load(free, "LoopsFree", true);
    for (int n = 0; n <= MAX; n++) {
      Kernel fixed = kernel(Lin.of(n));
      String where = n + " elements";
      if (n >= VectorLoops.SHORTEST) {
        check(fixed, n, load(fixed, "LoopsFixed" + n, false), load(fixed, "LoopsFixed" + n, true), where + ", compiled in");
      }
      check(free, n, freeScalar, freeVector, where + ", read at run time");
    }
  }

  /**
   * The same loops once HotSpot has compiled them: the calls above run the Vector API's Java code
   * (interpreted or C1), these enough times for C2 to compile the class with the API's
   * intrinsics, which must keep every bit too.
   */
  @Test
  void compiledVectorLoopsKeepTheBits() {
    Kernel free = kernel(Lin.slot(0, 1));
    LogDensity scalar = load(free, "LoopsCompiled", false);
    LogDensity vector = load(free, "LoopsCompiled", true);
    for (int call = 0; call < 80_000; call++) {
      int n = call % (MAX + 1);
      double[] expected = workspace(n);
      scalar.logDensity(new double[0], expected);
      double[] got = workspace(n);
      vector.logDensity(new double[0], got);
      for (int i = 0; i < expected.length; i++) {
        if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(got[i])) {
          assertEquals(expected[i], got[i], "call " + call + ", " + n + " elements, w[" + i + "]");
          assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(got[i]),
              "call " + call + ", " + n + " elements, w[" + i + "] (its bits)");
        }
      }
    }
  }

  @Test
  void theValuesShowTheOrder() {
    double[] terms = new double[MAX];
    for (int i = 0; i < MAX; i++) {
      terms[i] = a(i);
    }
    for (int n = Sums.LANES; n <= MAX; n++) {
      double chain = 0;
      for (int i = 0; i < n; i++) {
        chain += terms[i];
      }
      assertNotEquals(chain, Sums.sum(terms, 0, n, 1), n + " terms");
    }
  }

  @Test
  void onlyExactStrideOneLoopsWithSumsInLanesRunInVectors() {
    Region a = new Region(Array.WORK, 100);
    Region out = new Region(Array.WORK, 300);
    Lin n = Lin.of(64);
    Temp t = new Temp(0);
    assertNotNull(VectorLoops.vectorizable(new Reduce(t, Op.SUM, a, n, true)), "a sum in lanes");
    assertNotNull(VectorLoops.vectorizable(new Reduce(t, Op.SUM, a, Lin.slot(0, 1), true)), "of run-time length");
    assertNull(VectorLoops.vectorizable(new Reduce(t, Op.SUM, a, n, false)), "a sum in one chain");
    assertNull(VectorLoops.vectorizable(new Reduce(t, Op.SUM, a, Lin.of(VectorLoops.SHORTEST - 1), true)), "short");
    assertNull(VectorLoops.vectorizable(new Reduce(t, Op.LOGSUMEXP, a, n, true)), "logsumexp");
    assertNull(VectorLoops.vectorizable(new Reduce(t, Op.SUM, new Region(Array.WORK, Lin.of(100), 2), n, true)),
        "stride 2");
    assertNotNull(VectorLoops.vectorizable(new Loop(out, n, Op.DIV, new int[0], List.of(a, a))), "a division");
    assertNull(VectorLoops.vectorizable(new Loop(out, n, Op.EXP, new int[0], List.of(a))), "exp: a call");
    assertNull(VectorLoops.vectorizable(new Fused(n, List.of(new LaneSum(t, new At(a), false)))), "across draws");
    for (int shift = -3; shift <= 3; shift++) {
      Loop update = new Loop(a, n, Op.ADD, new int[0], List.of(new Region(Array.WORK, 100 + shift), out));
      assertEquals(shift == 0, VectorLoops.vectorizable(update) != null, "reading " + shift + " from the written");
    }
    assertNotNull(VectorLoops.vectorizable(
        new Loop(a, n, Op.ADD, new int[0], List.of(new Region(Array.WORK, 104), out))), "four away");
  }
}
