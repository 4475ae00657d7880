package io.flowc.runtime.optim;

/** Argument checks shared by the optimizers: cheap, and run once per step, never per element. */
final class Arguments {
  private Arguments() {}

  /**
   * Elements per call of an optimizer's elementwise update: HotSpot compiles a method after some
   * hundreds of calls, so a loop over all parameters in one call waited for hundreds of steps;
   * a call per block of this many is compiled within the first steps, at a call per 2 µs of work.
   */
  static final int BLOCK = 512;

  /** A hyper-parameter must be a finite number. */
  static double finite(String what, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(what + " must be finite, got " + value);
    }
    return value;
  }

  /** Fresh state of {@code slots} zero arrays of length {@code n}. */
  static OptimizerState newState(int slots, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("parameter count must be >= 0, got " + n);
    }
    return new OptimizerState(slots, n);
  }

  /**
   * theta and gradient of one length, distinct arrays (so that the gradient is never written),
   * and a state made by the optimizer's {@code newState} for that length.
   */
  static void check(double[] theta, double[] gradient, OptimizerState state, int slots) {
    if (theta.length != gradient.length) {
      throw new IllegalArgumentException(
          "theta has " + theta.length + " elements but the gradient has " + gradient.length);
    }
    if (theta == gradient) {
      throw new IllegalArgumentException("theta and the gradient must be distinct arrays");
    }
    if (state.slotCount() != slots) {
      throw new IllegalArgumentException(
          "state has " + state.slotCount() + " slot arrays, this optimizer uses " + slots);
    }
    if (slots > 0 && state.slot(0).length != theta.length) {
      throw new IllegalArgumentException(
          "state is for " + state.slot(0).length + " parameters, theta has " + theta.length);
    }
  }
}
