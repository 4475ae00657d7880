package io.flowc.runtime.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values of data, by name, as a Stan-style JSON file gives them: each a number or a (nested)
 * array of numbers, with its dimensions and its elements in row-major order. Members that hold
 * anything else are kept as the reason they cannot be used, reported only if a model declares them.
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

    /** "a number", "an array of 434", "an array of 100 x 5", "an array of 7 dimensions". */
    public String describe() {
      if (dims.length == 0) {
        return "a number";
      }
      if (dims.length > 4) {
        return "an array of " + dims.length + " dimensions";
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
  private final Map<String, String> unusable;

  public DataSet(String source, Map<String, Value> values) {
    this(source, values, Map.of());
  }

  /**
   * @param unusable members that are not numbers or rectangular arrays of numbers, each with a
   *     message that names it, its place and what it holds: {@code 'flag' in d.json:2:11 is true, not a number}
   */
  public DataSet(String source, Map<String, Value> values, Map<String, String> unusable) {
    this.source = source;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.unusable = Collections.unmodifiableMap(new LinkedHashMap<>(unusable));
  }

  /** Where the values came from, for messages (a file name). */
  public String source() {
    return source;
  }

  public Map<String, Value> values() {
    return values;
  }

  /** The value named {@code name}, or null (absent, or not usable as data). */
  public Value get(String name) {
    return values.get(name);
  }

  /** The members that cannot be data, each with the reason ({@link #unusable(String)}). */
  public Map<String, String> unusableMembers() {
    return unusable;
  }

  /** Why the member {@code name} cannot be data, or null (usable, or absent). */
  public String unusable(String name) {
    return unusable.get(name);
  }

  /** A value as messages show it: integers in full ({@code 4294967300}, not {@code 4.2949673E9}). */
  public static String format(double x) {
    return x == Math.rint(x) && Math.abs(x) < 1e18 ? Long.toString((long) x) : Double.toString(x);
  }
}
