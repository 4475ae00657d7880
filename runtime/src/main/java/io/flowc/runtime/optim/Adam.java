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
    double[] m = state.slot(0);
    double[] v = state.slot(1);
    for (int from = 0; from < theta.length; from += Arguments.BLOCK) {
      update(theta, gradient, m, v, at, beta1, beta2, epsilon, from, Math.min(theta.length, from + Arguments.BLOCK));
    }
  }

  /**
   * The elementwise update of elements {@code from .. to - 1}, a method of its own called once per
   * block ({@link Arguments#BLOCK}): HotSpot compiles it within a fit's first steps even for tens of
   * thousands of parameters, and when β₁ᵗ falls below 2^-900 (t = 5,922 for β₁ = 0.9) and
   * {@code Powers.pow} first takes its rare branch, deoptimizing {@code step}, the loop keeps its
   * compiled code (running interpreted there cost W4's 10,200 parameters about 50 ms).
   */
  private static void update(double[] theta, double[] gradient, double[] m, double[] v, double at, double beta1,
      double beta2, double eps, int from, int to) {
    double oneMinusBeta1 = 1.0 - beta1;
    double oneMinusBeta2 = 1.0 - beta2;
    for (int j = from; j < to; j++) {
      double g = gradient[j];
      double mt = beta1 * m[j] + oneMinusBeta1 * g;
      double vt = beta2 * v[j] + oneMinusBeta2 * (g * g);
      m[j] = mt;
      v[j] = vt;
      theta[j] = theta[j] - at * mt / (Math.sqrt(vt) + eps);
    }
  }
}
