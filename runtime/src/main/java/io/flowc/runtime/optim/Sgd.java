package io.flowc.runtime.optim;

/** PyMC3's {@code sgd}: θ ← θ − η g. No state beyond the step counter. */
public record Sgd(double learningRate) implements Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 1e-3;

  public Sgd {
    Arguments.finite("learningRate", learningRate);
  }

  /** PyMC3's defaults. */
  public Sgd() {
    this(DEFAULT_LEARNING_RATE);
  }

  @Override
  public String name() {
    return "sgd";
  }

  @Override
  public OptimizerState newState(int n) {
    return Arguments.newState(0, n);
  }

  @Override
  public void step(double[] theta, double[] gradient, OptimizerState state) {
    Arguments.check(theta, gradient, state, 0);
    state.advance();
    double eta = learningRate;
    for (int j = 0; j < theta.length; j++) {
      theta[j] = theta[j] - eta * gradient[j];
    }
  }
}
