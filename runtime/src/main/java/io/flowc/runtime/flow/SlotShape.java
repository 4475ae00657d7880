package io.flowc.runtime.flow;

import java.util.Arrays;

/**
 * The shape of a flow parameter (spec section 8): a scalar, a vector, a dense matrix (row-major,
 * element (i, j) at i * cols + j) or a masked matrix of which only the allowed elements exist,
 * packed in row-major order (MADE's weights, Sylvester's triangles).
 */
public sealed interface SlotShape {
  /** The number of doubles the parameter takes in theta. */
  int elementCount();

  /** The name suffix of the t-th element: {@code ""}, {@code [3]}, {@code [3,0]}. */
  String suffix(int t);

  record Scalar() implements SlotShape {
    @Override
    public int elementCount() {
      return 1;
    }

    @Override
    public String suffix(int t) {
      return "";
    }
  }

  record Vector(int length) implements SlotShape {
    public Vector {
      if (length < 1) {
        throw new IllegalArgumentException("vector length must be positive: " + length);
      }
    }

    @Override
    public int elementCount() {
      return length;
    }

    @Override
    public String suffix(int t) {
      return "[" + t + "]";
    }
  }

  record Matrix(int rows, int cols) implements SlotShape {
    public Matrix {
      if (rows < 1 || cols < 1) {
        throw new IllegalArgumentException("matrix sizes must be positive: " + rows + " x " + cols);
      }
    }

    @Override
    public int elementCount() {
      return rows * cols;
    }

    @Override
    public String suffix(int t) {
      return "[" + t / cols + "," + t % cols + "]";
    }
  }

  /** A rows x cols matrix whose elements at {@code positions} (flat, strictly increasing) exist; the others are 0. */
  record Masked(int rows, int cols, int[] positions) implements SlotShape {
    public Masked {
      positions = positions.clone();
      if (rows < 1 || cols < 1 || positions.length == 0) {
        throw new IllegalArgumentException("a masked matrix needs positive sizes and an element");
      }
      for (int t = 0; t < positions.length; t++) {
        if (positions[t] < (t == 0 ? 0 : positions[t - 1] + 1) || positions[t] >= rows * cols) {
          throw new IllegalArgumentException("mask positions must increase within " + rows + " x " + cols);
        }
      }
    }

    @Override
    public int[] positions() {
      return positions.clone();
    }

    @Override
    public int elementCount() {
      return positions.length;
    }

    @Override
    public String suffix(int t) {
      return "[" + positions[t] / cols + "," + positions[t] % cols + "]";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Masked m && m.rows == rows && m.cols == cols && Arrays.equals(m.positions, positions);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * rows + cols) + Arrays.hashCode(positions);
    }

    @Override
    public String toString() {
      return "Masked[" + rows + " x " + cols + ", " + positions.length + " elements]";
    }
  }
}
