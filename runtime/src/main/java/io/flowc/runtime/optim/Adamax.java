package io.flowc.runtime.optim;

/**
 * PyMC3's {@code adamax} (Lasagne's form): t ← t+1; a_t = η / (1−β₁ᵗ); m ← β₁m + (1−β₁)g;
 * u ← max(β₂u, |g|); θ ← θ − a_t m / (u + ε). Slot 0: m, slot 1: u; t is the state's step count.
 */
public record Adamax(double learningRate, double beta1, double beta2, double epsilon) implements Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 2e-3;
  public static final double DEFAULT_BETA1 = 0.9;
  public static final double DEFAULT_BETA2 = 0.999;
  public static final double DEFAULT_EPSILON = 1e-8;

  public Adamax {
    Arguments.finite("learningRate", learningRate);
    Arguments.finite("beta1", beta1);
    Arguments.finite("beta2", beta2);
    Arguments.finite("epsilon", epsilon);
  }

  /** PyMC3's defaults. */
  public Adamax() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** PyMC3's defaults but the learning rate. */
  public Adamax(double learningRate) {
    this(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
  }

  @Override
  public String name() {
    return "adamax";
  }

  @Override
  public OptimizerState newState(int n) {
    return Arguments.newState(2, n);
  }

  @Override
  public void step(double[] theta, double[] gradient, OptimizerState state) {
    Arguments.check(theta, gradient, state, 2);
    long t = state.advance();
    double at = learningRate / (1.0 - Powers.pow(beta1, t));
    double[] m = state.slot(0);
    double[] u = state.slot(1);
    for (int from = 0; from < theta.length; from += Arguments.BLOCK) {
      update(theta, gradient, m, u, at, beta1, beta2, epsilon, from, Math.min(theta.length, from + Arguments.BLOCK));
    }
  }

  /** The elementwise update of elements {@code from .. to - 1}, block by block for the reasons {@code Adam}'s is. */
  private static void update(double[] theta, double[] gradient, double[] m, double[] u, double at, double beta1,
      double beta2, double eps, int from, int to) {
    double oneMinusBeta1 = 1.0 - beta1;
    for (int j = from; j < to; j++) {
      double g = gradient[j];
      double mt = beta1 * m[j] + oneMinusBeta1 * g;
      double ut = Math.max(beta2 * u[j], Math.abs(g));
      m[j] = mt;
      u[j] = ut;
      theta[j] = theta[j] - at * mt / (ut + eps);
    }
  }
}
