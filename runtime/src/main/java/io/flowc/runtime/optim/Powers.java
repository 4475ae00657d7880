package io.flowc.runtime.optim;

/**
 * β^t for Adam's and Adamax's bias corrections. PyMC3 (Theano) takes C's {@code pow}, which
 * glibc computes nearly always correctly rounded; {@link StrictMath#pow} allocates on every call
 * (JDK 17) and {@link Math#pow} is only promised within 1 ulp, an error that 1 − β^t magnifies a
 * thousandfold at β = 0.999. So the power is taken by squaring in double-double arithmetic (about
 * 100 bits) and rounded once at the end: correctly rounded except for values within ~2^-95
 * (relative) of a rounding boundary, the same on every platform, and allocation-free.
 */
final class Powers {
  private Powers() {}

  /** base^n for n >= 0. */
  static double pow(double base, long n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative exponent " + n);
    }
    if (n == 0) {
      return 1.0;
    }
    if (!Double.isFinite(base) || base == 0.0) {
      return Math.pow(base, (double) n);
    }
    double resultHi = 1.0;
    double resultLo = 0.0;
    double squareHi = base;
    double squareLo = 0.0;
    long e = n;
    while (true) {
      if ((e & 1) != 0) {
        double p = resultHi * squareHi;
        double err = Math.fma(resultHi, squareHi, -p) + (resultHi * squareLo + resultLo * squareHi);
        resultHi = p + err;
        resultLo = err - (resultHi - p);
      }
      e >>>= 1;
      if (e == 0) {
        break;
      }
      double p = squareHi * squareHi;
      double err = Math.fma(squareHi, squareHi, -p) + 2.0 * squareHi * squareLo;
      squareHi = p + err;
      squareLo = err - (squareHi - p);
    }
    if (!Double.isFinite(resultHi) || Math.abs(resultHi) < 0x1p-900) {
      // overflow, or close enough to underflow for the low words to have lost their accuracy
      return Math.pow(base, (double) n);
    }
    return resultHi;
  }
}
