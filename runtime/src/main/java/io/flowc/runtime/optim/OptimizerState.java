package io.flowc.runtime.optim;

/**
 * An optimizer's state: a step counter and a few arrays of per-parameter slots (Adam's moments,
 * adagrad_window's ring buffer, ...), all explicit so that a state can be copied and inspected.
 */
public final class OptimizerState {
  private long steps;
  private final double[][] slots;
  /** Room an optimizer's step may use and leave: no state, so neither copied nor counted. */
  private double[] scratch;

  /** {@code slotCount} arrays of {@code slotLength} zeros. */
  public OptimizerState(int slotCount, int slotLength) {
    this.slots = new double[slotCount][slotLength];
  }

  private OptimizerState(long steps, double[][] slots) {
    this.steps = steps;
    this.slots = slots;
  }

  /** Steps taken so far. */
  public long steps() {
    return steps;
  }

  /** Counts one more step and returns the new count (1 after the first step). */
  public long advance() {
    return ++steps;
  }

  /** Slot array k (for example Adam's first moment). */
  public double[] slot(int k) {
    return slots[k];
  }

  /**
   * An array of at least {@code length} doubles that a step may write and read within itself
   * (values from an earlier step are not kept for it): allocated once, not per step.
   */
  double[] scratch(int length) {
    if (scratch == null || scratch.length < length) {
      scratch = new double[length];
    }
    return scratch;
  }

  public int slotCount() {
    return slots.length;
  }

  /** A deep copy: stepping the copy leaves this state alone. */
  public OptimizerState copy() {
    double[][] copied = new double[slots.length][];
    for (int k = 0; k < slots.length; k++) {
      copied[k] = slots[k].clone();
    }
    return new OptimizerState(steps, copied);
  }
}
