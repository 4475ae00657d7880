package io.flowc.runtime.optim;

/**
 * PyMC3's {@code nesterov_momentum}: v ← μv − ηg, θ ← θ + μv_new − ηg, evaluated as
 * x = μv − ηg; v ← x; θ ← (θ − ηg) + μx. Slot 0: the velocity v.
 */
public record NesterovMomentum(double learningRate, double momentum) implements Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 1e-3;
  public static final double DEFAULT_MOMENTUM = 0.9;

  public NesterovMomentum {
    Arguments.finite("learningRate", learningRate);
    Arguments.finite("momentum", momentum);
  }

  /** PyMC3's defaults. */
  public NesterovMomentum() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** PyMC3's defaults but the learning rate. */
  public NesterovMomentum(double learningRate) {
    this(learningRate, DEFAULT_MOMENTUM);
  }

  @Override
  public String name() {
    return "nesterov_momentum";
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
      double etaG = eta * gradient[j];
      double x = mu * v[j] - etaG;
      v[j] = x;
      theta[j] = (theta[j] - etaG) + mu * x;
    }
  }
}
