package io.flowc.runtime.nuts;

import io.flowc.runtime.LogDensity;

/** An independent Gaussian with given means and standard deviations: a target with known answers. */
final class Gaussian implements LogDensity {
  private final double[] mean;
  private final double[] sd;

  Gaussian(double[] mean, double[] sd) {
    this.mean = mean.clone();
    this.sd = sd.clone();
  }

  static Gaussian standard(int n) {
    return new Gaussian(new double[n], filled(n, 1));
  }

  static double[] filled(int n, double value) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, value);
    return a;
  }

  double mean(int i) {
    return mean[i];
  }

  double sd(int i) {
    return sd[i];
  }

  @Override
  public int dimension() {
    return mean.length;
  }

  @Override
  public int workspaceSize() {
    return 0;
  }

  @Override
  public double logDensity(double[] z, double[] workspace) {
    double s = 0;
    for (int i = 0; i < z.length; i++) {
      double u = (z[i] - mean[i]) / sd[i];
      s -= 0.5 * u * u;
    }
    return s;
  }

  @Override
  public double logDensityGradient(double[] z, double[] gradient, double[] workspace) {
    double s = 0;
    for (int i = 0; i < z.length; i++) {
      double u = (z[i] - mean[i]) / sd[i];
      s -= 0.5 * u * u;
      gradient[i] = -u / sd[i];
    }
    return s;
  }
}
