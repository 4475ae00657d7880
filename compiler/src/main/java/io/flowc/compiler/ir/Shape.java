package io.flowc.compiler.ir;

/**
 * The shape of an IR value: a scalar, a vector of a length known at compile time, a vector
 * whose length is a free data size ({@code real y[N]} with N bound at run time), named by the
 * workspace slot that holds the size's value, or a matrix of fixed rows and columns.
 *
 * <p>A matrix is stored row-major: element (i, j) at flat index {@code i * cols + j}. Its
 * {@link #length()} and {@link #size()} are its number of elements, so code that only moves
 * storage (elementwise ops, sums in flat order, copies) treats it as the flat vector it is.
 */
public final class Shape {
  public static final Shape SCALAR = new Shape(0, -1, null, 0);

  private final int length;
  private final int sizeSlot;
  private final String sizeName;
  /** Columns of a matrix; 0 for scalars and vectors. */
  private final int cols;

  private Shape(int length, int sizeSlot, String sizeName, int cols) {
    this.length = length;
    this.sizeSlot = sizeSlot;
    this.sizeName = sizeName;
    this.cols = cols;
  }

  /** A rows x cols matrix (row-major). */
  public static Shape matrix(int rows, int cols) {
    if (rows < 1 || cols < 1) {
      throw new IllegalArgumentException("matrix dimensions must be positive: " + rows + " x " + cols);
    }
    return new Shape(Math.multiplyExact(rows, cols), -1, null, cols);
  }

  public boolean isMatrix() {
    return cols > 0;
  }

  /** Rows of a matrix. */
  public int rows() {
    requireMatrix();
    return length / cols;
  }

  /** Columns of a matrix. */
  public int cols() {
    requireMatrix();
    return cols;
  }

  /** Whether this is a vector (fixed or dynamic length), not a scalar or a matrix. */
  public boolean isVector() {
    return !isScalar() && !isMatrix();
  }

  private void requireMatrix() {
    if (!isMatrix()) {
      throw new IllegalStateException(this + " is not a matrix");
    }
  }

  public static Shape vector(int length) {
    if (length < 1) {
      throw new IllegalArgumentException("vector length must be positive: " + length);
    }
    return new Shape(length, -1, null, 0);
  }

  /** A vector as long as the value of the data size {@code name}, read from workspace slot {@code slot}. */
  public static Shape dynamic(int slot, String name) {
    if (slot < 0) {
      throw new IllegalArgumentException("bad size slot " + slot);
    }
    return new Shape(0, slot, name, 0);
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

  /** 0 for a scalar, the number of elements of a vector or matrix (not defined for a dynamic one). */
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
   * A matrix has no code: a broadcast to a matrix carries its rows and columns as two attributes.
   */
  public int code() {
    if (isMatrix()) {
      throw new IllegalStateException("a matrix shape " + this + " has no one-integer code");
    }
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
    return o instanceof Shape s && s.length == length && s.sizeSlot == sizeSlot && s.cols == cols;
  }

  @Override
  public int hashCode() {
    return (length * 31 + sizeSlot) * 31 + cols;
  }

  @Override
  public String toString() {
    if (isMatrix()) {
      return "real[" + rows() + "," + cols + "]";
    }
    return isDynamic() ? "real[" + sizeName + "]" : isScalar() ? "real" : "real[" + length + "]";
  }
}
