package io.flowc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every decimal the data reader reads is the double {@link Double#parseDouble} gives, bit for bit,
 * and so is every double {@link Decimals#of} gives for it, its digits and power of ten taken apart
 * by {@link BigDecimal}: the shortest and the 17-digit forms of random doubles of every exponent,
 * subnormal ones among them; 16- to 19-digit integers and decimals, which include numbers exactly
 * halfway between two doubles (odd integers from 2^53 to 2^54); exact midpoints of neighbouring
 * doubles; the largest and smallest doubles and the decimals around them; overflow and underflow.
 * Each test's numbers are read as one data file, whose 64 KB buffers some of them straddle.
 */
class DecimalsTest {
  /** Numbers {@link Decimals#of} read without parseDouble, and all numbers checked. */
  private static int fast;
  private static int all;

  private final List<String> numbers = new ArrayList<>();

  private void same(String s) {
    numbers.add(s);
  }

  /** Reads the numbers {@link #same} collected as one data file and checks each. */
  @AfterEach
  void readThemAsData() {
    DataSet data = StanJson.parse("{\"x\": [" + String.join(", ", numbers) + "]}", "d.json");
    double[] read = data.get("x").elements();
    assertEquals(numbers.size(), read.length);
    for (int k = 0; k < read.length; k++) {
      String s = numbers.get(k);
      long expected = Double.doubleToRawLongBits(Double.parseDouble(s));
      assertEquals(expected, Double.doubleToRawLongBits(read[k]), s);
      BigDecimal exact = new BigDecimal(s);
      BigInteger w = exact.unscaledValue().abs();
      if (w.toString().length() <= 19) {
        double x = Decimals.of(w.longValue(), -exact.scale(), s.startsWith("-"));
        if (!Double.isNaN(x)) {
          assertEquals(expected, Double.doubleToRawLongBits(x), s);
          fast++;
        }
      }
      all++;
    }
  }

  @AfterAll
  static void theFastPathsReadAlmostAllOfThem() {
    // all but numbers of more than 19 digits, exponents beyond the table, infinities, and the rare
    // products that leave the rounding open
    assertTrue(fast > 0.8 * all, fast + " of " + all + " read without parseDouble");
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
      same("0." + digits + "e" + random.nextInt(-320, 309)); // below 1e308: finite
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
    for (String s : new String[] {"1.7976931348623157e308", "1.7976931348623158e308", "4.9e-324", "2.4703282292062327e-324",
        "2.4703282292062328e-324", "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
        "1e-400", "123456789012345678e-360", "9007199254740993", "9007199254740992.5",
        "0.000000000000000000000000000001", "-0e10", "-0.0", "0e-999", "1e23", "8.41e21", "5e-324", "1e22",
        "1e-22", "4503599627370497.5", "18446744073709551615", "9999999999999999999", "1.0e-5", "1.e5", ".5e1",
        "+1.5", "1234567890123456789e-19"}) {
      same(s);
    }
  }

  /** Beyond the largest double: left to parseDouble, whose infinity the reader reports. */
  @Test
  void overflowIsLeftToParseDouble() {
    for (String s : new String[] {"1.7976931348623159e308", "1.8e308", "1e400"}) {
      BigDecimal exact = new BigDecimal(s);
      assertTrue(Double.isNaN(Decimals.of(exact.unscaledValue().longValue(), -exact.scale(), false)), s);
      assertTrue(Double.isInfinite(Double.parseDouble(s)), s);
      assertNull(StanJson.parse("{\"x\": [" + s + "]}", "d.json").get("x"), s); // unusable, with its reason
    }
  }
}
