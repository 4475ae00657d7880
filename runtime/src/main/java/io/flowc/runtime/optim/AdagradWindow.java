package io.flowc.runtime.optim;

/**
 * PyMC3's {@code adagrad_window}, its default VI optimizer: adagrad over the squared gradients
 * of the last {@code nWin} steps only. Each step writes g² into the ring buffer's slot at the
 * write index (overwriting the oldest, so the current gradient is always included), moves the
 * index on (wrapping to 0 after {@code nWin − 1}), then θ ← θ − ηg / √(Σ_k W_k + ε), the sum
 * running over all {@code nWin} slots in slot order (unused slots are still zero).
 *
 * <p>Slots 0 … nWin−1 are the ring buffer's columns W_k. PyMC3 keeps the write index in a
 * shared variable; here it is the step count modulo {@code nWin}, which is the same number.
 */
public record AdagradWindow(double learningRate, double epsilon, int nWin) implements Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 1e-3;
  public static final double DEFAULT_EPSILON = 0.1;
  public static final int DEFAULT_N_WIN = 10;

  public AdagradWindow {
    Arguments.finite("learningRate", learningRate);
    Arguments.finite("epsilon", epsilon);
    if (nWin < 1) {
      throw new IllegalArgumentException("nWin must be >= 1, got " + nWin);
    }
  }

  /** PyMC3's defaults. */
  public AdagradWindow() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** PyMC3's defaults but the learning rate. */
  public AdagradWindow(double learningRate) {
    this(learningRate, DEFAULT_EPSILON, DEFAULT_N_WIN);
  }

  @Override
  public String name() {
    return "adagrad_window";
  }

  @Override
  public OptimizerState newState(int n) {
    return Arguments.newState(nWin, n);
  }

  /** The ring buffer slot the next step writes (PyMC3's {@code i}). */
  public int writeIndex(OptimizerState state) {
    return (int) (state.steps() % nWin);
  }

  @Override
  public void step(double[] theta, double[] gradient, OptimizerState state) {
    Arguments.check(theta, gradient, state, nWin);
    double[] written = state.slot(writeIndex(state));
    for (int j = 0; j < theta.length; j++) {
      written[j] = gradient[j] * gradient[j];
    }
    state.advance();
    double eta = learningRate;
    double eps = epsilon;
    for (int j = 0; j < theta.length; j++) {
      double sum = 0.0;
      for (int k = 0; k < nWin; k++) {
        sum += state.slot(k)[j];
      }
      theta[j] = theta[j] - eta * gradient[j] / Math.sqrt(sum + eps);
    }
  }
}
