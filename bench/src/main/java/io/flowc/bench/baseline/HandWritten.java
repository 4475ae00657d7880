package io.flowc.bench.baseline;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.MathFunctions;

/**
 * The "speed of light": the notebook's potentials and the 100-d normal written by hand in plain
 * Java, with hand-derived gradients of log p = -U, as a person would write them for speed. The
 * generated code is measured against these.
 */
public final class HandWritten {
  private HandWritten() {}

  public static LogDensity of(String model) {
    return switch (model) {
      case "pot1" -> new Pot1();
      case "pot2" -> new Pot2();
      case "pot3" -> new Pot3();
      case "pot4" -> new Pot4();
      case "normal100" -> new Normal100();
      default -> throw new IllegalArgumentException("no hand-written " + model);
    };
  }

  private abstract static class TwoD implements LogDensity {
    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public int workspaceSize() {
      return 0;
    }

    @Override
    public double logDensity(double[] z, double[] workspace) {
      return logDensityGradient(z, new double[2], workspace);
    }
  }

  private static final double HALF_PI = Math.PI / 2;

  /** U = ((|z| - 2)/0.4)^2/2 - log(exp(a) + exp(b)), a, b = -((z0 -+ 2)/0.6)^2/2. */
  static final class Pot1 extends TwoD {
    @Override
    public double logDensityGradient(double[] z, double[] g, double[] workspace) {
      double z0 = z[0];
      double z1 = z[1];
      double r = Math.sqrt(z0 * z0 + z1 * z1);
      double ring = (r - 2) / 0.4;
      double u0 = (z0 - 2) / 0.6;
      double u1 = (z0 + 2) / 0.6;
      double a = -0.5 * u0 * u0;
      double b = -0.5 * u1 * u1;
      double lse = MathFunctions.logaddexp(a, b);
      double wa = Math.exp(a - lse);
      double wb = Math.exp(b - lse);
      double dRing = ring / 0.4 / r;
      g[0] = -(dRing * z0) - (wa * u0 + wb * u1) / 0.6;
      g[1] = -(dRing * z1);
      return -(0.5 * ring * ring - lse);
    }
  }

  /** U = ((z1 - w1(z0))/0.4)^2/2 + |z0|/10, w1 = sin(pi z0 / 2). */
  static final class Pot2 extends TwoD {
    @Override
    public double logDensityGradient(double[] z, double[] g, double[] workspace) {
      double z0 = z[0];
      double d = (z[1] - Math.sin(HALF_PI * z0)) / 0.4;
      double dw1 = HALF_PI * Math.cos(HALF_PI * z0);
      g[0] = d / 0.4 * dw1 - 0.1 * (z0 >= 0 ? 1 : -1);
      g[1] = -d / 0.4;
      return -(0.5 * d * d + 0.1 * Math.abs(z0));
    }
  }

  /** U = -log(exp(A) + exp(B)) + |z0|/10 with the notebook's w1 and w2 bump. */
  static final class Pot3 extends TwoD {
    @Override
    public double logDensityGradient(double[] z, double[] g, double[] workspace) {
      double z0 = z[0];
      double w1 = Math.sin(HALF_PI * z0);
      double dw1 = HALF_PI * Math.cos(HALF_PI * z0);
      double v = (z0 - 1) / 0.6;
      double w2 = 3 * Math.exp(-0.5 * v * v);
      double dw2 = -w2 * v / 0.6;
      double p = (z[1] - w1) / 0.35;
      double q = (z[1] - w1 + w2) / 0.35;
      double a = -0.5 * p * p;
      double b = -0.5 * q * q;
      double lse = MathFunctions.logaddexp(a, b);
      double wa = Math.exp(a - lse);
      double wb = Math.exp(b - lse);
      // d logp / d z1 = d lse / d z1 = -(wa p + wb q) / 0.35
      g[1] = -(wa * p + wb * q) / 0.35;
      g[0] = (wa * p * dw1 + wb * q * (dw1 - dw2)) / 0.35 - 0.1 * (z0 >= 0 ? 1 : -1);
      return lse - 0.1 * Math.abs(z0);
    }
  }

  /** U = -log(exp(A) + exp(B)) + |z0|/10 with the notebook's w1 and sigmoid step w3. */
  static final class Pot4 extends TwoD {
    @Override
    public double logDensityGradient(double[] z, double[] g, double[] workspace) {
      double z0 = z[0];
      double w1 = Math.sin(HALF_PI * z0);
      double dw1 = HALF_PI * Math.cos(HALF_PI * z0);
      double w3 = 3 / (1 + Math.exp(-(z0 - 1) / 0.3));
      double dw3 = w3 * (1 - w3 / 3) / 0.3;
      double p = (z[1] - w1) / 0.4;
      double q = (z[1] - w1 + w3) / 0.35;
      double a = -0.5 * p * p;
      double b = -0.5 * q * q;
      double lse = MathFunctions.logaddexp(a, b);
      double wa = Math.exp(a - lse);
      double wb = Math.exp(b - lse);
      g[1] = -(wa * p / 0.4 + wb * q / 0.35);
      g[0] = wa * p / 0.4 * dw1 + wb * q / 0.35 * (dw1 - dw3) - 0.1 * (z0 >= 0 ? 1 : -1);
      return lse - 0.1 * Math.abs(z0);
    }
  }

  /** U = |z|^2 / 2 in 100 dimensions. */
  static final class Normal100 implements LogDensity {
    @Override
    public int dimension() {
      return 100;
    }

    @Override
    public int workspaceSize() {
      return 0;
    }

    @Override
    public double logDensity(double[] z, double[] workspace) {
      double s = 0;
      for (double x : z) {
        s += x * x;
      }
      return -0.5 * s;
    }

    @Override
    public double logDensityGradient(double[] z, double[] g, double[] workspace) {
      double s = 0;
      for (int i = 0; i < 100; i++) {
        double x = z[i];
        s += x * x;
        g[i] = -x;
      }
      return -0.5 * s;
    }
  }
}
