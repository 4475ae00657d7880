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

  /**
   * Fewest parameters summed slot by slot ({@link #update}); fewer sum one element's window after
   * another in one loop, as before, where a pass per slot would cost more to set up than it
   * saves (W3 has ten parameters).
   */
  private static final int SLOT_BY_SLOT = 64;

  @Override
  public void step(double[] theta, double[] gradient, OptimizerState state) {
    Arguments.check(theta, gradient, state, nWin);
    double[] written = state.slot(writeIndex(state));
    state.advance();
    if (theta.length < SLOT_BY_SLOT) {
      for (int j = 0; j < theta.length; j++) {
        written[j] = gradient[j] * gradient[j];
      }
      for (int j = 0; j < theta.length; j++) {
        double sum = 0.0;
        for (int k = 0; k < nWin; k++) {
          sum += state.slot(k)[j];
        }
        theta[j] = theta[j] - learningRate * gradient[j] / Math.sqrt(sum + epsilon);
      }
      return;
    }
    double[] sums = state.scratch(theta.length);
    for (int from = 0; from < theta.length; from += Arguments.BLOCK) {
      update(theta, gradient, written, state, sums, learningRate, epsilon, from, Math.min(theta.length, from + Arguments.BLOCK));
    }
  }

  /**
   * Elements {@code from .. to - 1}, a method of its own called once per block
   * ({@link Arguments#BLOCK}, as Adam's): g² written, each element's window summed slot by slot
   * into {@code sums}, then the step. Summing slot after slot over the block, rather than the
   * window of one element after another, and indexing every array alike makes each pass one
   * loop over consecutive elements that C2 runs in vector registers (15,032 parameters: 50 µs a
   * step instead of 133); each element still sums its slots in slot order from 0.0
   * ({@code 0.0 + W_0 == W_0}, a square being +0.0 or more), so the values are the same bits.
   */
  private static void update(double[] theta, double[] gradient, double[] written, OptimizerState window, double[] sums,
      double eta, double eps, int from, int to) {
    for (int j = from; j < to; j++) {
      written[j] = gradient[j] * gradient[j];
    }
    double[] first = window.slot(0);
    for (int j = from; j < to; j++) {
      sums[j] = first[j];
    }
    for (int k = 1; k < window.slotCount(); k++) {
      double[] slot = window.slot(k);
      for (int j = from; j < to; j++) {
        sums[j] += slot[j];
      }
    }
    for (int j = from; j < to; j++) {
      theta[j] = theta[j] - eta * gradient[j] / Math.sqrt(sums[j] + eps);
    }
  }
}
