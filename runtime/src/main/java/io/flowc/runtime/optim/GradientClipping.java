package io.flowc.runtime.optim;

/** Gradient rescaling before an optimizer step (PyMC3's {@code total_grad_norm_constraint}). */
public final class GradientClipping {
  /** The ε of PyMC3's {@code total_norm_constraint}. */
  public static final double EPSILON = 1e-7;

  private GradientClipping() {}

  /**
   * PyMC3's {@code total_norm_constraint}: out = g · clip(‖g‖, 0, c) / (1e-7 + ‖g‖), ‖g‖ the L2
   * norm over the whole flat gradient. Below the cap the factor is ‖g‖ / (1e-7 + ‖g‖), slightly
   * under 1, exactly as upstream. The gradient is only read; {@code out} may be the gradient
   * array itself for an in-place rescale.
   *
   * @return ‖g‖, the norm before rescaling
   */
  public static double totalNormConstraint(double[] gradient, double maxNorm, double[] out) {
    if (out.length != gradient.length) {
      throw new IllegalArgumentException(
          "out has " + out.length + " elements but the gradient has " + gradient.length);
    }
    if (!(maxNorm >= 0)) {
      throw new IllegalArgumentException("maxNorm must be >= 0, got " + maxNorm);
    }
    double sumOfSquares = 0.0;
    for (double g : gradient) {
      sumOfSquares += g * g;
    }
    double norm = Math.sqrt(sumOfSquares);
    double target = Math.min(Math.max(norm, 0.0), maxNorm);
    double multiplier = target / (EPSILON + norm);
    for (int j = 0; j < gradient.length; j++) {
      out[j] = gradient[j] * multiplier;
    }
    return norm;
  }
}
