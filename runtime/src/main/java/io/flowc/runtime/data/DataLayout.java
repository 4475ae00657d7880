package io.flowc.runtime.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A model's data declarations with the sizes it was compiled for, and where each value lies in
 * the data region at the start of the workspace: numbers take one element, vectors n, matrices
 * rows x cols in column-major order (a column is contiguous: {@code X * beta} reads columns).
 */
public record DataLayout(List<Variable> variables, List<IndexCheck> indexChecks) {

  /**
   * A data integer used as an index: {@code v[group - 1]} needs every value of {@code group},
   * shifted, inside {@code [0, limit)} (the length of v), or generated code would read elsewhere.
   */
  public record IndexCheck(String variable, int shift, int limit) {
    /** The index as written: {@code group}, {@code group - 1}. */
    String describe() {
      return variable + (shift == 0 ? "" : shift > 0 ? " + " + shift : " - " + -shift);
    }
  }

  public DataLayout(List<Variable> variables) {
    this(variables, List.of());
  }

  /**
   * One declaration: {@code integer} for {@code data int}, {@code dims} empty for a scalar;
   * {@code size} is the value compiled in for an integer other declarations take their size
   * from (-1 for others): data to bind must have that value.
   */
  public record Variable(String name, boolean integer, int[] dims, int offset, int size) {
    public Variable {
      dims = dims.clone();
    }

    public Variable(String name, boolean integer, int[] dims, int offset) {
      this(name, integer, dims, offset, -1);
    }

    /** The same declaration, marked as a size with the given value. */
    public Variable asSize(int value) {
      return new Variable(name, integer, dims, offset, value);
    }

    @Override
    public int[] dims() {
      return dims.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Variable v && v.name.equals(name) && v.integer == integer
          && java.util.Arrays.equals(v.dims, dims) && v.offset == offset && v.size == size;
    }

    @Override
    public int hashCode() {
      return (name.hashCode() * 31 + java.util.Arrays.hashCode(dims)) * 31 + offset;
    }

    @Override
    public String toString() {
      return describe() + " at " + offset;
    }

    /** Number of doubles the value takes. */
    public int elementCount() {
      int n = 1;
      for (int d : dims) {
        n *= d;
      }
      return n;
    }

    /** As declared: {@code int N}, {@code real y[434]}, {@code real X[100, 5]}. */
    public String describe() {
      StringBuilder s = new StringBuilder(integer ? "int " : "real ").append(name);
      if (dims.length > 0) {
        s.append('[');
        for (int i = 0; i < dims.length; i++) {
          s.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        s.append(']');
      }
      return s.toString();
    }
  }

  public static final DataLayout NONE = new DataLayout(List.of());

  public DataLayout {
    variables = List.copyOf(variables);
    indexChecks = List.copyOf(indexChecks);
  }

  public boolean isEmpty() {
    return variables.isEmpty();
  }

  /** Number of doubles the values take. */
  public int size() {
    return variables.stream().mapToInt(Variable::elementCount).sum();
  }

  /**
   * What is wrong with variable {@code v}'s value in {@code data}, or null: missing, another
   * shape, or a non-integer value for {@code int}.
   */
  public static String problem(Variable v, DataSet data) {
    return problem(v, data, List.of());
  }

  /** As {@link #problem(Variable, DataSet)}, also checking the variable's uses as an index. */
  public static String problem(Variable v, DataSet data, List<IndexCheck> checks) {
    DataSet.Value value = data.get(v.name());
    if (value == null) {
      return "'" + v.name() + "' is missing from " + data.source() + " (the model declares " + v.describe() + ")";
    }
    if (!sameDims(v.dims(), value.dims())) {
      return "'" + v.name() + "' is " + value.describe() + " in " + data.source() + "; the model declares "
          + v.describe();
    }
    double[] e = value.elements();
    if (v.size() >= 0 && e[0] != v.size()) {
      return "'" + v.name() + "' is " + e[0] + " in " + data.source() + "; the model was compiled with " + v.name()
          + " = " + v.size() + " (sizes are fixed when a model is compiled)";
    }
    for (int i = 0; i < e.length; i++) {
      if (v.integer() && (e[i] != Math.rint(e[i]) || Double.isInfinite(e[i]))) {
        return "'" + v.name() + "' is declared int but element " + i + " in " + data.source() + " is " + e[i];
      }
    }
    for (IndexCheck c : checks) {
      if (!c.variable().equals(v.name())) {
        continue;
      }
      for (int i = 0; i < e.length; i++) {
        double index = e[i] + c.shift();
        if (!(index >= 0 && index < c.limit())) {
          return "'" + v.name() + "' holds " + (long) e[i] + (e.length > 1 ? " at element " + i : "") + " in "
              + data.source() + ", but the model indexes a vector of " + c.limit() + " with '" + c.describe()
              + "' (it must lie in " + (-c.shift()) + ".." + (c.limit() - 1 - c.shift()) + ")";
        }
      }
    }
    return null;
  }

  /**
   * The values of {@code data} laid out as this layout says, after checking every declared
   * variable ({@link #problem}). Extra variables in the data are ignored (a data file often
   * serves several models). Sizes are those the model was compiled for.
   */
  public double[] pack(DataSet data) {
    double[] out = new double[size()];
    List<String> problems = new ArrayList<>();
    for (Variable v : variables) {
      String problem = problem(v, data, indexChecks);
      if (problem != null) {
        problems.add(problem);
        continue;
      }
      double[] e = data.get(v.name()).elements();
      if (v.dims().length == 2) {
        int rows = v.dims()[0];
        int cols = v.dims()[1];
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            out[v.offset() + c * rows + r] = e[r * cols + c];
          }
        }
      } else {
        System.arraycopy(e, 0, out, v.offset(), e.length);
      }
    }
    if (!problems.isEmpty()) {
      throw new DataException(String.join("; ", problems));
    }
    return out;
  }

  private static boolean sameDims(int[] declared, int[] given) {
    if (declared.length != given.length) {
      return false;
    }
    for (int i = 0; i < declared.length; i++) {
      if (declared[i] != given[i]) {
        return false;
      }
    }
    return true;
  }

  /** The compact form artifacts store: {@code N:int:=434,y:real:434,X:real:100x5} ({@code =}: a size's value). */
  public String encode() {
    StringBuilder out = new StringBuilder();
    for (IndexCheck c : indexChecks) {
      out.append(out.length() == 0 ? "" : ",").append('#').append(c.variable()).append(':').append(c.shift())
          .append(':').append(c.limit());
    }
    for (Variable v : variables) {
      out.append(out.length() == 0 ? "" : ",").append(v.name()).append(':').append(v.integer() ? "int" : "real")
          .append(':');
      for (int i = 0; i < v.dims().length; i++) {
        out.append(i == 0 ? "" : "x").append(v.dims()[i]);
      }
      if (v.size() >= 0) {
        out.append('=').append(v.size());
      }
    }
    return out.toString();
  }

  /** Reads {@link #encode()}'s form; throws IllegalArgumentException on anything else. */
  public static DataLayout decode(String text) {
    List<Variable> variables = new ArrayList<>();
    List<IndexCheck> checks = new ArrayList<>();
    int offset = 0;
    if (!text.isEmpty()) {
      for (String entry : text.split(",", -1)) {
        String[] f = entry.split(":", -1);
        if (entry.startsWith("#") && f.length == 3) {
          checks.add(new IndexCheck(f[0].substring(1), Integer.parseInt(f[1]), Integer.parseInt(f[2])));
          continue;
        }
        if (f.length != 3 || f[0].isEmpty() || !(f[1].equals("int") || f[1].equals("real"))) {
          throw new IllegalArgumentException("bad data entry '" + entry + "'");
        }
        String shape = f[2].startsWith("=") ? "" : f[2];
        int size = f[2].startsWith("=") ? Integer.parseInt(f[2].substring(1)) : -1;
        int[] dims = shape.isEmpty() ? new int[0] : java.util.Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
        Variable v = new Variable(f[0], f[1].equals("int"), dims, offset, size);
        offset += v.elementCount();
        variables.add(v);
      }
    }
    return new DataLayout(variables, checks);
  }
}
