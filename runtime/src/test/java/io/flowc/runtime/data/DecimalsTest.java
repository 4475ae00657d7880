package io.flowc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every decimal the fast paths read is the double {@link Double#parseDouble} gives, bit for bit:
 * the shortest and the 17-digit forms of random doubles of every exponent, subnormal ones among
 * them; 16- to 19-digit integers and decimals, which include numbers exactly halfway between two
 * doubles (odd integers from 2^53 to 2^54); exact midpoints of neighbouring doubles; the largest
 * and smallest doubles and the decimals around them; overflow and underflow.
 */
class DecimalsTest {
  /** Numbers read by the fast paths, and all numbers checked. */
  private static int fast;
  private static int all;

  private static void same(String s) {
    assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s)), Double.doubleToRawLongBits(Decimals.parse(s)), s);
    fast += Double.isNaN(Decimals.fast(s)) ? 0 : 1;
    all++;
  }

  @org.junit.jupiter.api.AfterAll
  static void theFastPathsReadAlmostAllOfThem() {
    // all but numbers of more than 19 digits, exponents beyond the table, infinities, and the rare
    // products that leave the rounding open
    assertEquals(true, fast > 0.8 * all, fast + " of " + all + " read without parseDouble");
  }

  @Test
  void randomDoublesInTheirShortestAndSeventeenDigitForms() {
    SplittableRandom random = new SplittableRandom(21);
    for (int k = 0; k < 150_000; k++) {
      double x = Double.longBitsToDouble(random.nextLong() & Long.MAX_VALUE);
      if (!Double.isFinite(x)) {
        continue;
      }
      same(Double.toString(x));
      same(String.format(Locale.ROOT, "%.16e", x));
      same(String.format(Locale.ROOT, "%.15e", -x));
      same(new BigDecimal(x).round(new java.math.MathContext(19)).toString());
    }
  }

  @Test
  void doublesOfEveryScaleAsProgramsPrintThem() {
    SplittableRandom random = new SplittableRandom(22);
    for (int k = 0; k < 150_000; k++) {
      double x = random.nextGaussian() * Math.pow(10, random.nextInt(-30, 30));
      same(Double.toString(x));
      same(String.format(Locale.ROOT, "%.17g", x).trim());
      same(String.format(Locale.ROOT, "%." + random.nextInt(1, 19) + "f", x));
    }
  }

  @Test
  void longIntegersAndDecimalsIncludingExactHalfways() {
    SplittableRandom random = new SplittableRandom(23);
    for (int k = 0; k < 150_000; k++) {
      long odd = (1L << 53) + 2 * random.nextLong(1L << 52) + 1; // halfway between two doubles
      same(Long.toString(odd));
      same(odd + "e" + random.nextInt(-5, 6));
      long n = random.nextLong(1, Long.MAX_VALUE) / (1L << random.nextInt(0, 40));
      same(Long.toString(n));
      String digits = Long.toString(n);
      int cut = random.nextInt(0, digits.length());
      same(digits.substring(0, cut) + "." + digits.substring(cut));
      same("0." + digits + "e" + random.nextInt(-320, 310));
    }
  }

  @Test
  void midpointsOfNeighbouringDoubles() {
    SplittableRandom random = new SplittableRandom(24);
    for (int k = 0; k < 60_000; k++) {
      double x = Double.longBitsToDouble(random.nextLong(0x7FEFFFFFFFFFFFFFL));
      BigDecimal mid = new BigDecimal(x).add(new BigDecimal(Math.nextUp(x))).divide(BigDecimal.valueOf(2));
      same(mid.toString());
      same(mid.round(new java.math.MathContext(19)).toString());
      same(mid.round(new java.math.MathContext(17)).toString());
    }
  }

  @Test
  void extremes() {
    for (String s : new String[] {"1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
        "1.8e308", "4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "2.2250738585072011e-308",
        "2.2250738585072012e-308", "2.2250738585072014e-308", "1e-400", "1e400", "123456789012345678e-360",
        "9007199254740993", "9007199254740992.5", "0.000000000000000000000000000001", "-0e10", "-0.0", "0e-999",
        "1e23", "8.41e21", "5e-324", "1e22", "1e-22", "4503599627370497.5", "18446744073709551615",
        "9999999999999999999", "1.0e-5", "1.e5", ".5e1", "+1.5", "1234567890123456789e-19"}) {
      same(s);
    }
  }
}
