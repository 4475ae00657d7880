package io.flowc.runtime.random;

/**
 * CDFs and probability masses written for the tests only, from closed forms and the regularized
 * incomplete gamma and beta functions (Numerical Recipes' series and continued fractions, with
 * Lanczos' log gamma): nothing here is shared with the generators under test.
 */
final class ReferenceDistributions {
  private ReferenceDistributions() {}

  private static final double[] LANCZOS = {
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
  };

  /** log Gamma(x) for x > 0 (Lanczos, g = 7: about 15 digits). */
  static double logGamma(double x) {
    if (x < 0.5) {
      return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
    }
    x -= 1;
    double a = LANCZOS[0];
    double t = x + 7.5;
    for (int i = 1; i < 9; i++) {
      a += LANCZOS[i] / (x + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
  }

  /** The regularized lower incomplete gamma function P(a, x). */
  static double gammaP(double a, double x) {
    if (x <= 0) {
      return 0;
    }
    if (x < a + 1) {
      double term = 1 / a;
      double sum = term;
      for (int n = 1; n < 10000; n++) {
        term *= x / (a + n);
        sum += term;
        if (Math.abs(term) < Math.abs(sum) * 1e-16) {
          break;
        }
      }
      return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
    }
    return 1 - gammaQContinuedFraction(a, x);
  }

  /** Q(a, x) = 1 - P(a, x) by Lentz's continued fraction (x >= a + 1). */
  static double gammaQ(double a, double x) {
    return x < a + 1 ? 1 - gammaP(a, x) : gammaQContinuedFraction(a, x);
  }

  private static double gammaQContinuedFraction(double a, double x) {
    double tiny = 1e-300;
    double b = x + 1 - a;
    double c = 1 / tiny;
    double d = 1 / b;
    double h = d;
    for (int i = 1; i < 10000; i++) {
      double an = -i * (i - a);
      b += 2;
      d = an * d + b;
      d = Math.abs(d) < tiny ? tiny : d;
      c = b + an / c;
      c = Math.abs(c) < tiny ? tiny : c;
      d = 1 / d;
      double delta = d * c;
      h *= delta;
      if (Math.abs(delta - 1) < 1e-16) {
        break;
      }
    }
    return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
  }

  /** The regularized incomplete beta function I_x(a, b). */
  static double betaI(double a, double b, double x) {
    if (x <= 0) {
      return 0;
    }
    if (x >= 1) {
      return 1;
    }
    double front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
    if (x < (a + 1) / (a + b + 2)) {
      return front * betaContinuedFraction(a, b, x) / a;
    }
    return 1 - front * betaContinuedFraction(b, a, 1 - x) / b;
  }

  private static double betaContinuedFraction(double a, double b, double x) {
    double tiny = 1e-300;
    double qab = a + b;
    double qap = a + 1;
    double qam = a - 1;
    double c = 1;
    double d = 1 - qab * x / qap;
    d = Math.abs(d) < tiny ? tiny : d;
    d = 1 / d;
    double h = d;
    for (int m = 1; m < 10000; m++) {
      int m2 = 2 * m;
      double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
      d = 1 + aa * d;
      d = Math.abs(d) < tiny ? tiny : d;
      c = 1 + aa / c;
      c = Math.abs(c) < tiny ? tiny : c;
      d = 1 / d;
      h *= d * c;
      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
      d = 1 + aa * d;
      d = Math.abs(d) < tiny ? tiny : d;
      c = 1 + aa / c;
      c = Math.abs(c) < tiny ? tiny : c;
      d = 1 / d;
      double delta = d * c;
      h *= delta;
      if (Math.abs(delta - 1) < 1e-16) {
        break;
      }
    }
    return h;
  }

  static double normalCdf(double x, double mu, double sigma) {
    double z = (x - mu) / sigma;
    double half = 0.5 * gammaP(0.5, z * z / 2);
    return z < 0 ? 0.5 - half : 0.5 + half;
  }

  static double studentTCdf(double x, double nu, double mu, double sigma) {
    double t = (x - mu) / sigma;
    double tail = 0.5 * betaI(nu / 2, 0.5, nu / (nu + t * t));
    return t > 0 ? 1 - tail : tail;
  }

  static double cauchyCdf(double x, double mu, double sigma) {
    return 0.5 + Math.atan((x - mu) / sigma) / Math.PI;
  }

  static double exponentialCdf(double x, double rate) {
    return x <= 0 ? 0 : -Math.expm1(-rate * x);
  }

  static double gammaCdf(double x, double shape, double rate) {
    return gammaP(shape, rate * x);
  }

  static double betaCdf(double x, double a, double b) {
    return betaI(a, b, x);
  }

  static double lognormalCdf(double x, double mu, double sigma) {
    return x <= 0 ? 0 : normalCdf(Math.log(x), mu, sigma);
  }

  static double poissonPmf(long k, double rate) {
    return Math.exp(k * Math.log(rate) - rate - logGamma(k + 1));
  }

  static double binomialPmf(long k, long n, double p) {
    return Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));
  }
}
