package io.flowc.runtime.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values of data, by name, as a Stan-style JSON file gives them: each a number or a (nested)
 * array of numbers, with its dimensions and its elements in row-major order.
 */
public final class DataSet {
  /** One value: {@code dims} empty for a number, one entry for a vector, two for a matrix. */
  public record Value(int[] dims, double[] elements) {
    public int elementCount() {
      int n = 1;
      for (int d : dims) {
        n *= d;
      }
      return n;
    }

    /** "a number", "an array of 434", "an array of 100 x 5". */
    public String describe() {
      if (dims.length == 0) {
        return "a number";
      }
      StringBuilder s = new StringBuilder("an array of ");
      for (int i = 0; i < dims.length; i++) {
        s.append(i == 0 ? "" : " x ").append(dims[i]);
      }
      return s.toString();
    }
  }

  private final String source;
  private final Map<String, Value> values;

  public DataSet(String source, Map<String, Value> values) {
    this.source = source;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** Where the values came from, for messages (a file name). */
  public String source() {
    return source;
  }

  public Map<String, Value> values() {
    return values;
  }

  public Value get(String name) {
    return values.get(name);
  }
}
