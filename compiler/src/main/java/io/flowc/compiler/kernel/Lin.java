package io.flowc.compiler.kernel;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntBinaryOperator;

/**
 * An integer known at compile time or computed at kernel entry from the workspace: {@code c +
 * sum_k a_k * (int) w[slot_k]}. Offsets and lengths of values whose length is a free data size
 * take this form (the slots hold sizes and the offsets a data binding chose); everything else is
 * a constant ({@link #isConstant()}).
 */
public final class Lin {
  public static final Lin ZERO = new Lin(0, new int[0], new int[0]);

  private final int constant;
  private final int[] slots;
  private final int[] coefficients;

  private Lin(int constant, int[] slots, int[] coefficients) {
    this.constant = constant;
    this.slots = slots;
    this.coefficients = coefficients;
  }

  public static Lin of(int constant) {
    return constant == 0 ? ZERO : new Lin(constant, new int[0], new int[0]);
  }

  /** {@code coefficient * (int) w[slot]}. */
  public static Lin slot(int slot, int coefficient) {
    return coefficient == 0 ? ZERO : new Lin(0, new int[] {slot}, new int[] {coefficient});
  }

  public boolean isConstant() {
    return slots.length == 0;
  }

  /** Whether this is one slot's value as it is ({@code (int) w[slot]}). */
  public boolean isSlot() {
    return constant == 0 && slots.length == 1 && coefficients[0] == 1;
  }

  /** The value of a constant. */
  public int constant() {
    if (!isConstant()) {
      throw new IllegalStateException(this + " is known at run time only");
    }
    return constant;
  }

  /** The constant term. */
  public int constantTerm() {
    return constant;
  }

  /** The workspace slots read, ascending. */
  public int[] slots() {
    return slots.clone();
  }

  public int coefficient(int k) {
    return coefficients[k];
  }

  public Lin plus(int c) {
    return c == 0 ? this : new Lin(constant + c, slots, coefficients);
  }

  public Lin plus(Lin other) {
    return combine(other, Integer::sum);
  }

  /** The coefficientwise maximum: at least either form wherever the slots hold non-negative values. */
  public Lin max(Lin other) {
    return combine(other, Math::max);
  }

  /** {@code op} applied to the constants and to each slot's coefficients (0 where a form lacks the slot). */
  private Lin combine(Lin other, IntBinaryOperator op) {
    Map<Integer, int[]> terms = new TreeMap<>();
    for (int k = 0; k < slots.length; k++) {
      terms.computeIfAbsent(slots[k], x -> new int[2])[0] = coefficients[k];
    }
    for (int k = 0; k < other.slots.length; k++) {
      terms.computeIfAbsent(other.slots[k], x -> new int[2])[1] = other.coefficients[k];
    }
    Lin out = of(op.applyAsInt(constant, other.constant));
    for (Map.Entry<Integer, int[]> e : terms.entrySet()) {
      int c = op.applyAsInt(e.getValue()[0], e.getValue()[1]);
      if (c != 0) {
        out = new Lin(out.constant, append(out.slots, e.getKey()), append(out.coefficients, c));
      }
    }
    return out;
  }

  private static int[] append(int[] a, int x) {
    int[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = x;
    return out;
  }

  /**
   * This value with the slots {@code values} holds replaced by their values (the others kept):
   * what code specialized to one binding's sizes and offsets computes.
   */
  public Lin bind(Map<Integer, Integer> values) {
    Lin out = of(constant);
    for (int k = 0; k < slots.length; k++) {
      Integer v = values.get(slots[k]);
      out = v == null ? new Lin(out.constant, append(out.slots, slots[k]), append(out.coefficients, coefficients[k]))
          : out.plus(coefficients[k] * v);
    }
    return out.slots.length == 0 ? of(out.constant) : out;
  }

  /** The value with the slots read from {@code w}. */
  public int evaluate(double[] w) {
    int v = constant;
    for (int k = 0; k < slots.length; k++) {
      v += coefficients[k] * (int) w[slots[k]];
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Lin l && l.constant == constant && Arrays.equals(l.slots, slots)
        && Arrays.equals(l.coefficients, coefficients);
  }

  @Override
  public int hashCode() {
    return (constant * 31 + Arrays.hashCode(slots)) * 31 + Arrays.hashCode(coefficients);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (int k = 0; k < slots.length; k++) {
      s.append(k == 0 ? "" : " + ").append(coefficients[k] == 1 ? "" : coefficients[k] + "*").append("w[").append(slots[k]).append(']');
    }
    if (constant != 0 || slots.length == 0) {
      s.append(slots.length == 0 ? "" : " + ").append(constant);
    }
    return s.toString();
  }
}
