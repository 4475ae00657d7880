package io.flowc.runtime.nuts;

/**
 * PyMC3's {@code QuadPotentialDiagAdapt}: the inverse mass matrix is the diagonal variance of the
 * positions visited while tuning, from running weighted (Welford) moments. A foreground estimate
 * starts from a prior (the initial mean, variance 1, weight 10) and supplies the variance after
 * every update; a background estimate starts empty; whenever the number of adapted samples
 * (counted before this one) is a positive multiple of the window, the background replaces the
 * foreground and a new empty background starts. The variance is the raw sum over the weight: no
 * n-1, and unlike Stan no shrinkage toward 1e-3.
 */
final class DiagonalMassAdaptation {
  /** PyMC3's adaptation_window. */
  static final int WINDOW = 101;
  /** The weight of the prior (jitter+adapt_diag's initial_weight). */
  static final double INITIAL_WEIGHT = 10;

  private final double[] variance;
  private WeightedVariance foreground;
  private WeightedVariance background;
  private long samples;

  /**
   * @param initialMean the prior mean (PyMC3: the average of the chains' jittered starts)
   * @param variance the inverse mass diagonal, set to ones here and updated in place
   */
  DiagonalMassAdaptation(double[] initialMean, double[] variance) {
    this.variance = variance;
    java.util.Arrays.fill(variance, 1.0);
    foreground = new WeightedVariance(initialMean, variance, INITIAL_WEIGHT);
    background = new WeightedVariance(initialMean.length);
  }

  /** Adds a tuning iteration's position; does nothing after tuning. */
  void update(double[] position, boolean tuning) {
    if (!tuning) {
      return;
    }
    foreground.add(position);
    background.add(position);
    foreground.currentVariance(variance);
    if (samples > 0 && samples % WINDOW == 0) {
      WeightedVariance retired = foreground;
      foreground = background;
      background = retired;
      background.clear();
    }
    samples++;
  }

  /** Running weighted mean and raw variance sum (PyMC3's {@code _WeightedVariance}, weight 1 per sample). */
  static final class WeightedVariance {
    private final double[] mean;
    private final double[] rawVariance;
    private double weightSum;

    WeightedVariance(int n) {
      mean = new double[n];
      rawVariance = new double[n];
    }

    WeightedVariance(double[] initialMean, double[] initialVariance, double weight) {
      mean = initialMean.clone();
      rawVariance = new double[initialVariance.length];
      for (int i = 0; i < rawVariance.length; i++) {
        rawVariance[i] = initialVariance[i] * weight;
      }
      weightSum = weight;
    }

    void clear() {
      java.util.Arrays.fill(mean, 0);
      java.util.Arrays.fill(rawVariance, 0);
      weightSum = 0;
    }

    void add(double[] x) {
      weightSum += 1;
      double prop = 1 / weightSum;
      for (int i = 0; i < x.length; i++) {
        double oldDiff = x[i] - mean[i];
        mean[i] += prop * oldDiff;
        rawVariance[i] += oldDiff * (x[i] - mean[i]);
      }
    }

    void currentVariance(double[] out) {
      for (int i = 0; i < out.length; i++) {
        out[i] = rawVariance[i] / weightSum;
      }
    }
  }
}
