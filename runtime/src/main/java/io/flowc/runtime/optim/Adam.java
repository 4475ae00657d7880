package io.flowc.runtime.optim;

/**
 * PyMC3's {@code adam} in Lasagne's form: t ← t+1; a_t = η √(1−β₂ᵗ) / (1−β₁ᵗ);
 * m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − a_t m / (√v + ε). The bias correction is folded
 * into a_t and ε is added to √v of the uncorrected second moment, which differs slightly from the
 * textbook m̂ / (√v̂ + ε). β^t is rounded once from the exact power (see {@code Powers}). Slot 0:
 * m, slot 1: v; t is the state's step count.
 */
public record Adam(double learningRate, double beta1, double beta2, double epsilon) implements Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 1e-3;
  public static final double DEFAULT_BETA1 = 0.9;
  public static final double DEFAULT_BETA2 = 0.999;
  public static final double DEFAULT_EPSILON = 1e-8;

  public Adam {
    Arguments.finite("learningRate", learningRate);
    Arguments.finite("beta1", beta1);
    Arguments.finite("beta2", beta2);
    Arguments.finite("epsilon", epsilon);
  }

  /** PyMC3's defaults. */
  public Adam() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** PyMC3's defaults but the learning rate. */
  public Adam(double learningRate) {
    this(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
  }

  @Override
  public String name() {
    return "adam";
  }

  @Override
  public OptimizerState newState(int n) {
    return Arguments.newState(2, n);
  }

  @Override
  public void step(double[] theta, double[] gradient, OptimizerState state) {
    Arguments.check(theta, gradient, state, 2);
    long t = state.advance();
    double at = learningRate * Math.sqrt(1.0 - Powers.pow(beta2, t)) / (1.0 - Powers.pow(beta1, t));
    update(theta, gradient, state.slot(0), state.slot(1), at, beta1, beta2, epsilon);
  }

  /**
   * The elementwise update, a method of its own: when β₁ᵗ falls below 2^-900 (t = 5,922 for
   * β₁ = 0.9) {@code Powers.pow} first takes its rare branch, HotSpot throws away the code of the
   * method that inlined it and runs it interpreted until it is compiled again; this loop keeps
   * its own compiled code meanwhile (it cost a fit of 10,200 parameters 28 ms there).
   */
  private static void update(double[] theta, double[] gradient, double[] m, double[] v, double at, double beta1,
      double beta2, double eps) {
    double oneMinusBeta1 = 1.0 - beta1;
    double oneMinusBeta2 = 1.0 - beta2;
    for (int j = 0; j < theta.length; j++) {
      double g = gradient[j];
      double mt = beta1 * m[j] + oneMinusBeta1 * g;
      double vt = beta2 * v[j] + oneMinusBeta2 * (g * g);
      m[j] = mt;
      v[j] = vt;
      theta[j] = theta[j] - at * mt / (Math.sqrt(vt) + eps);
    }
  }
}
