package io.flowc.runtime.optim;

/**
 * PyMC3's {@code adadelta}: A ← ρA + (1−ρ)g²; Δ = g √(D + ε) / √(A + ε) with the new A and the
 * old D; θ ← θ − ηΔ; D ← ρD + (1−ρ)Δ². Slot 0: A (squared gradients), slot 1: D (squared
 * updates).
 */
public record Adadelta(double learningRate, double rho, double epsilon) implements Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 1.0;
  public static final double DEFAULT_RHO = 0.95;
  public static final double DEFAULT_EPSILON = 1e-6;

  public Adadelta {
    Arguments.finite("learningRate", learningRate);
    Arguments.finite("rho", rho);
    Arguments.finite("epsilon", epsilon);
  }

  /** PyMC3's defaults. */
  public Adadelta() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** PyMC3's defaults but the learning rate. */
  public Adadelta(double learningRate) {
    this(learningRate, DEFAULT_RHO, DEFAULT_EPSILON);
  }

  @Override
  public String name() {
    return "adadelta";
  }

  @Override
  public OptimizerState newState(int n) {
    return Arguments.newState(2, n);
  }

  @Override
  public void step(double[] theta, double[] gradient, OptimizerState state) {
    Arguments.check(theta, gradient, state, 2);
    state.advance();
    double eta = learningRate;
    double eps = epsilon;
    double oneMinusRho = 1.0 - rho;
    double[] a = state.slot(0);
    double[] d = state.slot(1);
    for (int j = 0; j < theta.length; j++) {
      double g = gradient[j];
      double accu = rho * a[j] + oneMinusRho * (g * g);
      a[j] = accu;
      double update = g * Math.sqrt(d[j] + eps) / Math.sqrt(accu + eps);
      theta[j] = theta[j] - eta * update;
      d[j] = rho * d[j] + oneMinusRho * (update * update);
    }
  }
}
