package io.flowc.runtime.nfvi;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Python's {@code format(x, ",.5g")}, the way PyMC3 prints losses: -1.7772, 12,346, 1.5e-05. */
public final class PyFormat {
  private PyFormat() {}

  public static String commaG5(double x) {
    if (Double.isNaN(x)) {
      return "nan";
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? "inf" : "-inf";
    }
    if (x == 0) {
      return Double.doubleToRawLongBits(x) == 0 ? "0" : "-0";
    }
    BigDecimal rounded = new BigDecimal(x).round(new MathContext(5, RoundingMode.HALF_EVEN));
    int exponent = rounded.precision() - rounded.scale() - 1;
    if (exponent < -4 || exponent >= 5) {
      BigDecimal mantissa = rounded.movePointLeft(exponent);
      String m = strip(mantissa.toPlainString());
      String e = Integer.toString(Math.abs(exponent));
      return m + "e" + (exponent < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
    }
    String plain = strip(rounded.toPlainString());
    return group(plain);
  }

  /**
   * Python's {@code str} of a float (its shortest repr): the fewest significant digits that read
   * back as the same double, e.g. 0.30246096720680476, 0.8, 1e-05, 1.5e+16.
   */
  public static String repr(double x) {
    if (Double.isNaN(x)) {
      return "nan";
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? "inf" : "-inf";
    }
    if (x == 0) {
      return Double.doubleToRawLongBits(x) == 0 ? "0.0" : "-0.0";
    }
    BigDecimal exact = new BigDecimal(x);
    BigDecimal shortest = exact;
    for (int digits = 1; digits <= 17; digits++) {
      BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == x) {
        shortest = rounded;
        break;
      }
    }
    int exponent = shortest.precision() - shortest.scale() - 1;
    if (exponent < -4 || exponent >= 16) {
      String m = strip(shortest.movePointLeft(exponent).toPlainString());
      String e = Integer.toString(Math.abs(exponent));
      return m + "e" + (exponent < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
    }
    String plain = strip(shortest.toPlainString());
    return plain.contains(".") ? plain : plain + ".0";
  }

  /** Python's {@code format(n, "_d")}: 1_000, 12_345_678. */
  public static String underscores(long n) {
    return group(Long.toString(n)).replace(',', '_');
  }

  /** Drops trailing zeros of a fraction, and the point if nothing follows it. */
  private static String strip(String s) {
    if (!s.contains(".")) {
      return s;
    }
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** Thousands separators in the integer part. */
  private static String group(String s) {
    boolean negative = s.startsWith("-");
    String body = negative ? s.substring(1) : s;
    int point = body.indexOf('.');
    String integer = point < 0 ? body : body.substring(0, point);
    String fraction = point < 0 ? "" : body.substring(point);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < integer.length(); i++) {
      if (i > 0 && (integer.length() - i) % 3 == 0) {
        out.append(',');
      }
      out.append(integer.charAt(i));
    }
    return (negative ? "-" : "") + out + fraction;
  }
}
