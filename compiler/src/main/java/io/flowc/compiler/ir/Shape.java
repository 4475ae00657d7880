package io.flowc.compiler.ir;

/**
 * The shape of an IR value: a scalar, or a vector of a length known at compile time.
 *
 * <p>Kept a class of its own (not an int) so that matrices and sizes bound only at run time
 * (data-dependent lengths) can be added without touching every op.
 */
public final class Shape {
  public static final Shape SCALAR = new Shape(0);

  private final int length;

  private Shape(int length) {
    this.length = length;
  }

  public static Shape vector(int length) {
    if (length < 1) {
      throw new IllegalArgumentException("vector length must be positive: " + length);
    }
    return new Shape(length);
  }

  /** A scalar for 0, a vector otherwise. */
  public static Shape of(int length) {
    return length == 0 ? SCALAR : vector(length);
  }

  public boolean isScalar() {
    return length == 0;
  }

  /** 0 for a scalar, the number of elements of a vector. */
  public int length() {
    return length;
  }

  /** Number of doubles a value of this shape holds. */
  public int size() {
    return Math.max(1, length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && s.length == length;
  }

  @Override
  public int hashCode() {
    return length;
  }

  @Override
  public String toString() {
    return isScalar() ? "real" : "real[" + length + "]";
  }
}
