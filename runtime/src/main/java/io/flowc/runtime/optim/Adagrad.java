package io.flowc.runtime.optim;

/**
 * PyMC3's {@code adagrad}: A ← A + g², θ ← θ − ηg / √(A + ε) with the new A. Slot 0: the sum
 * of squared gradients A.
 */
public record Adagrad(double learningRate, double epsilon) implements Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 1.0;
  public static final double DEFAULT_EPSILON = 1e-6;

  public Adagrad {
    Arguments.finite("learningRate", learningRate);
    Arguments.finite("epsilon", epsilon);
  }

  /** PyMC3's defaults. */
  public Adagrad() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** PyMC3's defaults but the learning rate. */
  public Adagrad(double learningRate) {
    this(learningRate, DEFAULT_EPSILON);
  }

  @Override
  public String name() {
    return "adagrad";
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
    double[] a = state.slot(0);
    for (int j = 0; j < theta.length; j++) {
      double g = gradient[j];
      double accu = a[j] + g * g;
      a[j] = accu;
      theta[j] = theta[j] - eta * g / Math.sqrt(accu + eps);
    }
  }
}
