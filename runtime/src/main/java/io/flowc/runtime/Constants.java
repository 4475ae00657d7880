package io.flowc.runtime;

/**
 * Reads back the double constants a generated class keeps as text. A class's constant pool holds
 * at most 65535 entries, two per double; a model with more distinct constants than the compiler
 * loads directly keeps the rest in static arrays, each written as one string of 16 hex digits
 * (the raw bits) per value, so that its values come back bit for bit.
 */
public final class Constants {
  private static final int DIGITS = 16;

  private Constants() {}

  /** The doubles whose raw bits {@code hex} lists, 16 hex digits each. */
  public static double[] decode(String hex) {
    if (hex.length() % DIGITS != 0) {
      throw new IllegalArgumentException("constant table of " + hex.length() + " digits, not a multiple of 16");
    }
    double[] out = new double[hex.length() / DIGITS];
    for (int i = 0; i < out.length; i++) {
      out[i] = Double.longBitsToDouble(Long.parseUnsignedLong(hex, DIGITS * i, DIGITS * (i + 1), 16));
    }
    return out;
  }

  /** The text {@link #decode} reads back as {@code values}. */
  public static String encode(double[] values) {
    StringBuilder out = new StringBuilder(values.length * DIGITS);
    for (double v : values) {
      String digits = Long.toHexString(Double.doubleToRawLongBits(v));
      out.append("0".repeat(DIGITS - digits.length())).append(digits);
    }
    return out.toString();
  }
}
