package io.flowc.runtime.optim;

/**
 * PyMC3's {@code momentum}: v ← μv − ηg, θ ← θ + v, evaluated as Lasagne's sgd followed by
 * {@code apply_momentum}: x = μv + (θ − ηg); v ← x − θ; θ ← x. Slot 0: the velocity v.
 */
public record Momentum(double learningRate, double momentum) implements Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 1e-3;
  public static final double DEFAULT_MOMENTUM = 0.9;

  public Momentum {
    Arguments.finite("learningRate", learningRate);
    Arguments.finite("momentum", momentum);
  }

  /** PyMC3's defaults. */
  public Momentum() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** PyMC3's defaults but the learning rate. */
  public Momentum(double learningRate) {
    this(learningRate, DEFAULT_MOMENTUM);
  }

  @Override
  public String name() {
    return "momentum";
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
    double mu = momentum;
    double[] v = state.slot(0);
    for (int j = 0; j < theta.length; j++) {
      double x = mu * v[j] + (theta[j] - eta * gradient[j]);
      v[j] = x - theta[j];
      theta[j] = x;
    }
  }
}
