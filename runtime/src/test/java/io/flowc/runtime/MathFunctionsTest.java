package io.flowc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Values against tables and closed forms; the extremes where naive formulas overflow. */
class MathFunctionsTest {
  private static final double LN2 = Math.log(2);

  private static void close(double expected, double actual) {
    assertEquals(expected, actual, 1e-15 * Math.max(1, Math.abs(expected)), () -> "expected " + expected);
  }

  @Test
  void sigmoid() {
    close(0.5, MathFunctions.sigmoid(0));
    close(1 / (1 + Math.exp(-2.5)), MathFunctions.sigmoid(2.5));
    close(Math.exp(-30) / (1 + Math.exp(-30)), MathFunctions.sigmoid(-30));
    assertEquals(1.0, MathFunctions.sigmoid(800));
    assertEquals(0.0, MathFunctions.sigmoid(-800));
    for (double x = -20; x <= 20; x += 0.37) {
      close(1.0, MathFunctions.sigmoid(x) + MathFunctions.sigmoid(-x));
    }
  }

  /** The branch-free sigmoid has the bits of the two-branch definition, on both sides and at the extremes. */
  @Test
  void sigmoidHasTheBitsOfTheTwoBranchForm() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      double x = i % 2 == 0 ? random.nextDouble(-40, 40) : Double.longBitsToDouble(random.nextLong());
      double expected = x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
      assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(MathFunctions.sigmoid(x)), () -> "at " + x);
    }
    for (double x : new double[] {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 745.5,
        -745.5, Double.MIN_VALUE, -Double.MIN_VALUE}) {
      double expected = x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
      assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(MathFunctions.sigmoid(x)), () -> "at " + x);
    }
  }

  @Test
  void logitInvertsSigmoid() {
    close(0.0, MathFunctions.logit(0.5));
    close(Math.log(3), MathFunctions.logit(0.75));
    for (double x = -15; x <= 15; x += 0.5) {
      assertEquals(x, MathFunctions.logit(MathFunctions.sigmoid(x)), 1e-9);
    }
    assertEquals(Double.NEGATIVE_INFINITY, MathFunctions.logit(0));
    assertEquals(Double.POSITIVE_INFINITY, MathFunctions.logit(1));
  }

  @Test
  void softplus() {
    close(LN2, MathFunctions.softplus(0));
    close(Math.log1p(Math.exp(1.5)), MathFunctions.softplus(1.5));
    close(Math.log1p(Math.exp(-30)), MathFunctions.softplus(-30));
    assertEquals(1000.0, MathFunctions.softplus(1000));
    assertEquals(0.0, MathFunctions.softplus(-1000));
    assertTrue(Double.isNaN(MathFunctions.softplus(Double.NaN)));
    assertEquals(Double.POSITIVE_INFINITY, MathFunctions.softplus(Double.POSITIVE_INFINITY));
  }

  @Test
  void logaddexp() {
    close(Math.log(Math.exp(1.2) + Math.exp(-0.7)), MathFunctions.logaddexp(1.2, -0.7));
    close(1000 + LN2, MathFunctions.logaddexp(1000, 1000));
    close(-1000 + LN2, MathFunctions.logaddexp(-1000, -1000));
    assertEquals(Double.NEGATIVE_INFINITY, MathFunctions.logaddexp(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY));
    assertEquals(3.0, MathFunctions.logaddexp(Double.NEGATIVE_INFINITY, 3.0));
    assertEquals(Double.POSITIVE_INFINITY, MathFunctions.logaddexp(Double.POSITIVE_INFINITY, 3.0));
    assertTrue(Double.isNaN(MathFunctions.logaddexp(Double.NaN, 3.0)));
  }

  @Test
  void logsumexp() {
    close(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)), MathFunctions.logsumexp(new double[] {1, 2, 3}));
    close(1000 + Math.log(3), MathFunctions.logsumexp(new double[] {1000, 1000, 1000}));
    close(-2000 + Math.log(2), MathFunctions.logsumexp(new double[] {-2000, -2000}));
    assertEquals(Double.NEGATIVE_INFINITY, MathFunctions.logsumexp(new double[0]));
    assertEquals(Double.POSITIVE_INFINITY, MathFunctions.logsumexp(new double[] {1, Double.POSITIVE_INFINITY}));
    assertTrue(Double.isNaN(MathFunctions.logsumexp(new double[] {1, Double.NaN})));
  }

  @Test
  void errorFunctionsAgainstTables() {
    // Abramowitz & Stegun table 7.1 and their complements.
    close(0.5204998778130465, MathFunctions.erf(0.5));
    close(0.8427007929497149, MathFunctions.erf(1.0));
    close(-0.8427007929497149, MathFunctions.erf(-1.0));
    close(2.209049699858544e-05, MathFunctions.erfc(3.0));
    assertEquals(1.5374597944280349e-12, MathFunctions.erfc(5.0), 1e-26);
    for (double x = -4; x <= 4; x += 0.25) {
      close(1.0, MathFunctions.erf(x) + MathFunctions.erfc(x));
    }
  }

  @Test
  void lgammaAgainstFactorialsAndHalfIntegers() {
    close(Math.log(362880), MathFunctions.lgamma(10));
    close(0.0, MathFunctions.lgamma(1));
    close(0.0, MathFunctions.lgamma(2));
    close(0.5 * Math.log(Math.PI), MathFunctions.lgamma(0.5));
    close(Math.log(2 * Math.sqrt(Math.PI)), MathFunctions.lgamma(-0.5)); // |Gamma(-1/2)| = 2 sqrt(pi)
    assertEquals(Double.POSITIVE_INFINITY, MathFunctions.lgamma(0));
    assertEquals(Double.POSITIVE_INFINITY, MathFunctions.lgamma(-3));
  }

  @Test
  void polygammaAgainstZetaValues() {
    assertEquals(-0.5772156649015329, MathFunctions.polygamma(0, 1), 1e-14); // -Euler's gamma
    close(Math.PI * Math.PI / 6, MathFunctions.polygamma(1, 1));
    assertEquals(-2.4041138063191885, MathFunctions.polygamma(2, 1), 1e-13); // -2 zeta(3)
    assertEquals(Math.pow(Math.PI, 4) / 15, MathFunctions.polygamma(3, 1), 1e-12); // 6 zeta(4)
    assertEquals(-24 * 1.0369277551433699, MathFunctions.polygamma(4, 1), 1e-11); // -24 zeta(5)
    // psi''(x) at a half-integer: -14 zeta(3) at 1/2
    assertEquals(-14 * 1.2020569031595942, MathFunctions.polygamma(2, 0.5), 1e-12);
    // the recurrence holds at negative non-integers too: psi''(x+1) = psi''(x) + 2/x^3
    double x = -1.3;
    assertEquals(MathFunctions.polygamma(2, x + 1), MathFunctions.polygamma(2, x) + 2 / (x * x * x), 1e-9);
    assertTrue(Double.isNaN(MathFunctions.polygamma(2, -2)));
  }

  @Test
  void lgammaAgreesWithBoostsAlgorithmEverywhere() {
    // Commons Numbers' LogGamma (Boost's algorithm) as the oracle: it allocates, so flowc has its own.
    for (double x = -30.05; x < 200; x += 0.0137) {
      double expected = org.apache.commons.numbers.gamma.LogGamma.value(x);
      double actual = MathFunctions.lgamma(x);
      double tolerance = 4e-15 * Math.max(1, Math.abs(expected)) + (x < 0 ? 1e-13 * Math.abs(expected) : 0);
      assertEquals(expected, actual, tolerance, "lgamma(" + x + ")");
    }
    // near the zeros at 1 and 2 the relative accuracy holds
    for (double e : new double[] {1e-3, -1e-5, 1e-9, 3e-14}) {
      for (double root : new double[] {1, 2}) {
        double expected = org.apache.commons.numbers.gamma.LogGamma.value(root + e);
        assertEquals(expected, MathFunctions.lgamma(root + e), 1e-14 * Math.abs(expected), "lgamma(" + (root + e) + ")");
      }
    }
    assertTrue(Double.isNaN(MathFunctions.lgamma(Double.NaN)));
    assertEquals(Double.POSITIVE_INFINITY, MathFunctions.lgamma(Double.POSITIVE_INFINITY));
  }

  /**
   * Nothing allocates once compiled. Erf and erfc come from Commons Numbers, whose temporaries
   * only C2's escape analysis removes, so rounds run until the code is hot (or give up).
   */
  @Test
  void specialFunctionsAllocateNothingOnceCompiled() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    double sink = 0;
    long allocated = Long.MAX_VALUE;
    for (int round = 0; round < 40 && allocated >= 4096; round++) {
      long before = threads.getThreadAllocatedBytes(thread);
      for (int k = 0; k < 20_000; k++) {
        double x = -7.3 + k * 1e-3;
        sink += MathFunctions.lgamma(x) + MathFunctions.erf(x) + MathFunctions.erfc(x) + MathFunctions.polygamma(0, x)
            + MathFunctions.polygamma(1, x) + MathFunctions.polygamma(2, x) + MathFunctions.softplus(x)
            + MathFunctions.sigmoid(x) + MathFunctions.logaddexp(x, -x);
      }
      allocated = threads.getThreadAllocatedBytes(thread) - before;
    }
    assertTrue(allocated < 4096, "still allocating " + allocated + " bytes per 20000 rounds");
    assertTrue(sink != 0.5);
  }

  @Test
  void lgammaAndPolygammaAllocateNothingEvenInterpreted() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    double sink = MathFunctions.lgamma(0.5) + MathFunctions.polygamma(2, 0.5); // class initialization
    long before = threads.getThreadAllocatedBytes(thread);
    for (int k = 0; k < 2_000; k++) {
      double x = -7.3 + k * 1e-2;
      sink += MathFunctions.lgamma(x) + MathFunctions.polygamma(2, x);
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertTrue(allocated < 4096, "allocated " + allocated + " bytes");
    assertTrue(sink != 0.5);
  }


  @Test
  void tanhIsWithinFourUlpsOfMathTanh() {
    for (double x = -30; x <= 30; x += 0.000731) {
      double expected = Math.tanh(x);
      assertEquals(expected, MathFunctions.tanh(x), 4 * Math.ulp(expected), "tanh(" + x + ")");
    }
    java.util.Random random = new java.util.Random(12);
    for (int k = 0; k < 200_000; k++) {
      double x = (random.nextDouble() - 0.5) * Math.pow(10, -random.nextInt(9));
      double expected = Math.tanh(x);
      assertEquals(expected, MathFunctions.tanh(x), 4 * Math.ulp(expected), "tanh(" + x + ")");
    }
    assertEquals(1.0, MathFunctions.tanh(1000));
    assertEquals(-1.0, MathFunctions.tanh(Double.NEGATIVE_INFINITY));
    assertEquals(-0.0, MathFunctions.tanh(-0.0));
    assertTrue(Double.isNaN(MathFunctions.tanh(Double.NaN)));
    assertEquals(1e-300, MathFunctions.tanh(1e-300));
  }

  /** Where exp(-2|x|) is below 2^-54 the exp form is +-1 exactly, as Math.tanh rounds (no branch of its own). */
  @Test
  void tanhIsOneExactlyForLargeArguments() {
    for (double a = 19.07; a < 1e300; a = a < 40 ? a + 0.0137 : a * 1.7) {
      assertEquals(1.0, MathFunctions.tanh(a), "tanh(" + a + ")");
      assertEquals(-1.0, MathFunctions.tanh(-a), "tanh(" + -a + ")");
      assertEquals(1.0, Math.tanh(a));
    }
    assertEquals(1.0, MathFunctions.tanh(Double.MAX_VALUE));
    assertEquals(1.0, MathFunctions.tanh(Double.POSITIVE_INFINITY));
    assertEquals(-1.0, MathFunctions.tanh(-Double.MAX_VALUE));
  }
}
