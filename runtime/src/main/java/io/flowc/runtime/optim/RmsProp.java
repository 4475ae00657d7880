package io.flowc.runtime.optim;

/**
 * PyMC3's {@code rmsprop}: A ← ρA + (1−ρ)g², θ ← θ − ηg / √(A + ε) with the new A. Slot 0: the
 * moving average of squared gradients A.
 */
public record RmsProp(double learningRate, double rho, double epsilon) implements Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 1.0;
  public static final double DEFAULT_RHO = 0.9;
  public static final double DEFAULT_EPSILON = 1e-6;

  public RmsProp {
    Arguments.finite("learningRate", learningRate);
    Arguments.finite("rho", rho);
    Arguments.finite("epsilon", epsilon);
  }

  /** PyMC3's defaults. */
  public RmsProp() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** PyMC3's defaults but the learning rate. */
  public RmsProp(double learningRate) {
    this(learningRate, DEFAULT_RHO, DEFAULT_EPSILON);
  }

  @Override
  public String name() {
    return "rmsprop";
  }

  @Override
  public OptimizerState newState(int n) {
    return Arguments.newState(1, n);
  }

  @Override
  public void step(double[] theta, double[] gradient, OptimizerState state) {
    Arguments.check(theta, gradient, state, 1);
    state.advance();
    double eta = learningRate;
    double eps = epsilon;
    double oneMinusRho = 1.0 - rho;
    double[] a = state.slot(0);
    for (int j = 0; j < theta.length; j++) {
      double g = gradient[j];
      double accu = rho * a[j] + oneMinusRho * (g * g);
      a[j] = accu;
      theta[j] = theta[j] - eta * g / Math.sqrt(accu + eps);
    }
  }
}
