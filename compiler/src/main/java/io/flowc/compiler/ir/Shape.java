package io.flowc.compiler.ir;

/**
 * The shape of an IR value: a scalar, a vector of a length known at compile time, or a vector
 * whose length is a free data size ({@code real y[N]} with N bound at run time), named by the
 * workspace slot that holds the size's value.
 */
public final class Shape {
  public static final Shape SCALAR = new Shape(0, -1, null);

  private final int length;
  private final int sizeSlot;
  private final String sizeName;

  private Shape(int length, int sizeSlot, String sizeName) {
    this.length = length;
    this.sizeSlot = sizeSlot;
    this.sizeName = sizeName;
  }

  public static Shape vector(int length) {
    if (length < 1) {
      throw new IllegalArgumentException("vector length must be positive: " + length);
    }
    return new Shape(length, -1, null);
  }

  /** A vector as long as the value of the data size {@code name}, read from workspace slot {@code slot}. */
  public static Shape dynamic(int slot, String name) {
    if (slot < 0) {
      throw new IllegalArgumentException("bad size slot " + slot);
    }
    return new Shape(0, slot, name);
  }

  /** A scalar for 0, a vector otherwise. */
  public static Shape of(int length) {
    return length == 0 ? SCALAR : vector(length);
  }

  public boolean isScalar() {
    return length == 0 && sizeSlot < 0;
  }

  /** Whether the length is a free data size, known at run time only. */
  public boolean isDynamic() {
    return sizeSlot >= 0;
  }

  /** The workspace slot of the size of a dynamic shape. */
  public int sizeSlot() {
    requireDynamic();
    return sizeSlot;
  }

  /** The name of the size of a dynamic shape. */
  public String sizeName() {
    requireDynamic();
    return sizeName;
  }

  /** 0 for a scalar, the number of elements of a vector (not defined for a dynamic one). */
  public int length() {
    requireStatic();
    return length;
  }

  /** Number of doubles a value of this shape holds (not defined for a dynamic one). */
  public int size() {
    requireStatic();
    return Math.max(1, length);
  }

  /**
   * The shape as one integer attribute (of BROADCAST): the length, or {@code -1 - slot} for a
   * dynamic one; {@link #ofCode} reads it back (the name, used only in messages, is not kept).
   */
  public int code() {
    return isDynamic() ? -1 - sizeSlot : length;
  }

  public static Shape ofCode(int code) {
    return code < 0 ? dynamic(-1 - code, "n@" + (-1 - code)) : of(code);
  }

  private void requireStatic() {
    if (isDynamic()) {
      throw new DynamicShapeException(this);
    }
  }

  private void requireDynamic() {
    if (!isDynamic()) {
      throw new IllegalStateException(this + " has a fixed length");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && s.length == length && s.sizeSlot == sizeSlot;
  }

  @Override
  public int hashCode() {
    return length * 31 + sizeSlot;
  }

  @Override
  public String toString() {
    return isDynamic() ? "real[" + sizeName + "]" : isScalar() ? "real" : "real[" + length + "]";
  }
}
