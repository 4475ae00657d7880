package io.flowc.compiler.kernel;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

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
    Map<Integer, Integer> terms = new TreeMap<>();
    for (int k = 0; k < slots.length; k++) {
      terms.merge(slots[k], coefficients[k], Integer::sum);
    }
    for (int k = 0; k < other.slots.length; k++) {
      terms.merge(other.slots[k], other.coefficients[k], Integer::sum);
    }
    terms.values().removeIf(c -> c == 0);
    int[] s = new int[terms.size()];
    int[] a = new int[terms.size()];
    int k = 0;
    for (Map.Entry<Integer, Integer> e : terms.entrySet()) {
      s[k] = e.getKey();
      a[k++] = e.getValue();
    }
    return new Lin(constant + other.constant, s, a);
  }

  public Lin times(int factor) {
    if (factor == 0) {
      return ZERO;
    }
    int[] a = coefficients.clone();
    for (int k = 0; k < a.length; k++) {
      a[k] *= factor;
    }
    return new Lin(constant * factor, slots, a);
  }

  /** The coefficientwise maximum: at least either form wherever the slots hold non-negative values. */
  public Lin max(Lin other) {
    Lin sum = plus(other);
    Map<Integer, Integer> terms = new TreeMap<>();
    for (int s : sum.slots) {
      terms.put(s, Math.max(coefficientOf(s), other.coefficientOf(s)));
    }
    Lin out = of(Math.max(constant, other.constant));
    for (Map.Entry<Integer, Integer> e : terms.entrySet()) {
      out = out.plus(slot(e.getKey(), e.getValue()));
    }
    return out;
  }

  private int coefficientOf(int slot) {
    int k = Arrays.binarySearch(slots, slot);
    return k >= 0 ? coefficients[k] : 0;
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
