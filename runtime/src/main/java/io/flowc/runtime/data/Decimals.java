package io.flowc.runtime.data;

import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A decimal number w 10^q of up to 19 significant digits (as {@link StanJson} reads them from its
 * bytes) to the nearest double, as {@link Double#parseDouble} gives it: Clinger's fast path where
 * w and the power of ten are both exact doubles, else the Eisel-Lemire algorithm (Lemire, "Number
 * Parsing at a Gigabyte per Second", 2021: w times a 128-bit truncation of the power of five,
 * which settles the nearest double unless the product's bits leave it open); the rest, and the
 * cases the product leaves open, are {@code parseDouble}'s. Programs write doubles with 15 to 17
 * digits (Python's {@code json}, cmdstanpy), which {@code parseDouble} in Java 17 reads about
 * eight times slower than short decimals: 3.3 million of them took a second.
 */
final class Decimals {
  private Decimals() {}

  private static final int MIN_POWER = -342;
  private static final int MAX_POWER = 308;
  private static final double[] EXACT_TENS = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
      1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

  /**
   * The 128-bit truncations of the powers of five, high and low words, each computed when first
   * asked for (a file's numbers need a few of the 651): a table built at once took a fresh JVM
   * longer than it saves on a small file.
   */
  private static final AtomicReferenceArray<long[]> POWERS = new AtomicReferenceArray<>(MAX_POWER - MIN_POWER + 1);

  /**
   * The double nearest (-1)^negative w 10^q, w the unsigned value of at most 19 decimal digits
   * (so exact), or NaN where only {@link Double#parseDouble} reads it (q beyond the table, a
   * product that leaves the rounding open, an infinite result).
   */
  static double of(long w, long q, boolean negative) {
    if (w == 0) {
      return negative ? -0.0 : 0.0;
    }
    double x;
    // w is unsigned: 19 digits may exceed Long.MAX_VALUE
    if (w > 0 && w <= 1L << 53 && q >= -22 && q <= 22) {
      x = q < 0 ? (double) w / EXACT_TENS[(int) -q] : (double) w * EXACT_TENS[(int) q];
    } else if (q < MIN_POWER || q > MAX_POWER) {
      return Double.NaN;
    } else {
      long bits = eiselLemire(w, (int) q);
      if (bits < 0) {
        return Double.NaN;
      }
      x = Double.longBitsToDouble(bits);
    }
    return negative ? -x : x;
  }

  /**
   * The bits of the double nearest w times ten to the q (w unsigned, not 0, MIN_POWER <= q <= MAX_POWER), or
   * -1 where the product leaves the rounding open or the result is infinite.
   */
  private static long eiselLemire(long w, int q) {
    int lz = Long.numberOfLeadingZeros(w);
    w <<= lz;
    long[] power = powerOfFive(q);
    long high = unsignedMultiplyHigh(w, power[0]);
    long low = w * power[0];
    if ((high & 0x1FF) == 0x1FF) {
      long secondHigh = unsignedMultiplyHigh(w, power[1]);
      long sum = low + secondHigh;
      if (Long.compareUnsigned(sum, low) < 0) {
        high++;
      }
      low = sum;
      if ((high & 0x1FF) == 0x1FF && low == -1L) {
        return -1; // the truncated power of five leaves the rounding open
      }
    }
    int upperBit = (int) (high >>> 63);
    long mantissa = high >>> (upperBit + 9);
    int power2 = ((217706 * q) >> 16) + 63 + upperBit - lz + 1023;
    if (power2 <= 0) { // subnormal
      if (-power2 + 1 >= 64) {
        return 0;
      }
      mantissa >>>= -power2 + 1;
      mantissa += mantissa & 1;
      mantissa >>>= 1;
      power2 = mantissa < (1L << 52) ? 0 : 1;
      return mantissa | ((long) power2 << 52);
    }
    // a decimal exactly halfway between two doubles rounds to the even one
    if (Long.compareUnsigned(low, 1) <= 0 && q >= -4 && q <= 23 && (mantissa & 3) == 1
        && (mantissa << (upperBit + 9)) == high) {
      mantissa &= ~1L;
    }
    mantissa += mantissa & 1;
    mantissa >>>= 1;
    if (mantissa >= 2L << 52) {
      mantissa = 1L << 52;
      power2++;
    }
    mantissa &= ~(1L << 52);
    if (power2 >= 0x7FF) {
      return -1; // infinite: parseDouble says so, and the reader reports it
    }
    return mantissa | ((long) power2 << 52);
  }

  /** The high word of the unsigned product of a and b. */
  private static long unsignedMultiplyHigh(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }

  /**
   * The 128-bit truncation of five to the q, normalized to [2^127, 2^128) (for q < 0, of 2^b /
   * 5^-q for a large b, plus one), the table of Lemire's fast_float; high word first.
   */
  private static long[] powerOfFive(int q) {
    long[] known = POWERS.get(q - MIN_POWER);
    if (known != null) {
      return known;
    }
    BigInteger c;
    if (q >= 0) {
      c = BigInteger.valueOf(5).pow(q);
      int bits = c.bitLength();
      c = bits < 128 ? c.shiftLeft(128 - bits) : c.shiftRight(bits - 128);
    } else {
      BigInteger power5 = BigInteger.valueOf(5).pow(-q);
      int z = power5.bitLength();
      int b = q >= -27 ? z + 127 : 2 * z + 128;
      c = BigInteger.ONE.shiftLeft(b).divide(power5).add(BigInteger.ONE);
      int bits = c.bitLength();
      if (bits > 128) {
        c = c.shiftRight(bits - 128);
      }
    }
    long[] words = {c.shiftRight(64).longValue(), c.longValue()};
    POWERS.set(q - MIN_POWER, words); // two threads may both compute it: the same words
    return words;
  }
}
