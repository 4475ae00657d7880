package io.flowc.runtime.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A model's data declarations and where each value lies in the data region at the start of the
 * workspace: numbers take one element, vectors n, matrices rows x cols in column-major order (a
 * column is contiguous: {@code X * beta} reads columns).
 *
 * <p>A size is either fixed (compiled in: the data must have that value) or free: declarations
 * whose rows it counts ({@code real y[N]}, {@code real X[N, 5]}) are then placed at run time,
 * after everything of fixed size and after the bound code's own scratch space, and the region
 * holds only a header slot for each, where the binding writes its offset. Generated code reads
 * the offsets and the sizes from the workspace, so one compiled model takes data of any such size.
 */
public record DataLayout(List<Variable> variables, List<IndexCheck> indexChecks, List<LeastSize> leastSizes) {

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

  /**
   * The least value a free size may take: the model reads an element of a vector it counts at a
   * literal index ({@code y[0]}), or runs a loop up to it that must run once. {@code reason}
   * says which, for the message (no commas or colons: {@link #encode()} keeps it).
   */
  public record LeastSize(String size, int least, String reason) {
    public LeastSize {
      if (reason.contains(",") || reason.contains(":")) {
        throw new IllegalArgumentException("a least size's reason holds no commas or colons: " + reason);
      }
    }
  }

  public DataLayout(List<Variable> variables, List<IndexCheck> indexChecks) {
    this(variables, indexChecks, List.of());
  }

  public DataLayout(List<Variable> variables) {
    this(variables, List.of());
  }

  /**
   * One declaration: {@code integer} for {@code data int}, {@code dims} empty for a scalar;
   * {@code size} is the value compiled in for an integer other declarations take their size
   * from (-1 for others, free sizes included): data to bind must have that value. {@code rows}
   * names the free size that counts the rows (null: the shape is fixed); {@code dims[0]} is then
   * the row count the model was compiled with, and {@code offset} the header slot that holds
   * the value's offset at run time.
   */
  public record Variable(String name, boolean integer, int[] dims, int offset, int size, String rows) {
    public Variable {
      dims = dims.clone();
    }

    public Variable(String name, boolean integer, int[] dims, int offset, int size) {
      this(name, integer, dims, offset, size, null);
    }

    public Variable(String name, boolean integer, int[] dims, int offset) {
      this(name, integer, dims, offset, -1, null);
    }

    /** The same declaration, marked as a size with the given value. */
    public Variable asSize(int value) {
      return new Variable(name, integer, dims, offset, value, rows);
    }

    /** The same declaration at another offset, its rows counted by the free size {@code rows} (or fixed: null). */
    public Variable placed(int offset, String rows) {
      return new Variable(name, integer, dims, offset, size, rows);
    }

    /** Whether its place and length are set at run time (its rows count is a free size). */
    public boolean isDynamic() {
      return rows != null;
    }

    @Override
    public int[] dims() {
      return dims.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Variable v && v.name.equals(name) && v.integer == integer
          && Arrays.equals(v.dims, dims) && v.offset == offset && v.size == size && Objects.equals(v.rows, rows);
    }

    @Override
    public int hashCode() {
      return (name.hashCode() * 31 + Arrays.hashCode(dims)) * 31 + offset;
    }

    @Override
    public String toString() {
      return describe() + " at " + offset;
    }

    /** Number of doubles the value takes (with the compiled-in row count for a dynamic one). */
    public int elementCount() {
      int n = 1;
      for (int d : dims) {
        n *= d;
      }
      return n;
    }

    /** Number of doubles the region itself holds for it: its values, or one header slot. */
    int regionLength() {
      return isDynamic() ? 1 : elementCount();
    }

    /** As declared: {@code int N}, {@code real y[434]}, {@code real y[N]}, {@code real X[100, 5]}. */
    public String describe() {
      return describe(rows != null ? null : dims);
    }

    /** As declared, with the given shape ({@code null}: a dynamic declaration's rows by their size's name). */
    String describe(int[] shape) {
      StringBuilder s = new StringBuilder(integer ? "int " : "real ").append(name);
      if (dims.length > 0) {
        s.append('[');
        for (int i = 0; i < dims.length; i++) {
          s.append(i == 0 ? "" : ", ").append(shape == null && i == 0 ? rows : String.valueOf((shape == null ? dims : shape)[i]));
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
    leastSizes = List.copyOf(leastSizes);
  }

  public boolean isEmpty() {
    return variables.isEmpty();
  }

  /** Number of doubles the region holds: values of fixed shape, one header slot per dynamic value. */
  public int size() {
    return variables.stream().mapToInt(Variable::regionLength).sum();
  }

  /** Whether some declaration's rows are counted by a free size. */
  public boolean isDynamic() {
    return variables.stream().anyMatch(Variable::isDynamic);
  }

  /** The declaration named {@code name}, or null. */
  public Variable variable(String name) {
    return variables.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
  }

  /**
   * This layout with the sizes in {@code free} left free: every declaration whose rows one of
   * them counts ({@code rowSizes}: declaration to the size naming its first dimension) becomes
   * dynamic. Fixed values are placed first, in declaration order, then one header slot per
   * dynamic declaration.
   */
  public DataLayout withFreeSizes(Map<String, String> rowSizes, Set<String> free) {
    return withFreeSizes(rowSizes, free, List.of());
  }

  /**
   * As {@link #withFreeSizes(Map, Set)}, keeping the least values of the sizes left free
   * ({@code least}: what the model needs of every size, fixed ones included).
   */
  public DataLayout withFreeSizes(Map<String, String> rowSizes, Set<String> free, List<LeastSize> least) {
    List<Variable> placed = new ArrayList<>();
    List<Integer> dynamic = new ArrayList<>();
    int offset = 0;
    for (Variable v : variables) {
      Variable u = free.contains(v.name()) ? new Variable(v.name(), v.integer(), v.dims(), v.offset(), -1, null) : v;
      String rows = rowSizes.get(v.name());
      if (rows != null && free.contains(rows)) {
        dynamic.add(placed.size());
        placed.add(u.placed(0, rows));
      } else {
        placed.add(u.placed(offset, null));
        offset += u.elementCount();
      }
    }
    for (int k : dynamic) {
      placed.set(k, placed.get(k).placed(offset++, placed.get(k).rows()));
    }
    return new DataLayout(placed, indexChecks, least.stream().filter(l -> free.contains(l.size())).distinct().toList());
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
    if (data.unusable(v.name()) != null) {
      return data.unusable(v.name()) + " (the model declares " + v.describe() + ")";
    }
    if (value == null) {
      return "'" + v.name() + "' is missing from " + data.source() + " (the model declares " + v.describe() + ")";
    }
    int[] expected = v.dims();
    if (v.isDynamic()) {
      DataSet.Value rows = data.get(v.rows());
      if (rows == null || rows.dims().length != 0 || !isInt(rows.elements()[0])) {
        return null; // reported at the size itself
      }
      expected[0] = (int) rows.elements()[0];
    }
    if (!Arrays.equals(expected, value.dims())) {
      return "'" + v.name() + "' is " + value.describe() + " in " + data.source() + "; the model declares "
          + v.describe() + (v.isDynamic() ? " (" + v.describe(expected) + ")" : "");
    }
    double[] e = value.elements();
    // the declared type asked once, not per value: a fresh process runs this interpreted, over
    // every value of a data file
    if (v.integer()) {
      for (int i = 0; i < e.length; i++) {
        if (e[i] != Math.rint(e[i]) || Double.isInfinite(e[i])) {
          return "'" + v.name() + "' is declared int but element " + i + " in " + data.source() + " is " + e[i];
        }
        if (!isInt(e[i])) {
          return "'" + v.name() + "' " + (value.dims().length > 0 ? "holds " : "is ") + DataSet.format(e[i])
              + (value.dims().length > 0 ? " at element " + i : "") + " in " + data.source() + ", beyond the range of a data int ("
              + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE + ")";
        }
      }
    }
    if (v.size() >= 0 && e[0] != v.size()) {
      return "'" + v.name() + "' is " + e[0] + " in " + data.source() + "; the model was compiled with " + v.name()
          + " = " + v.size() + " (" + v.name() + " shapes parameters or values of fixed length, so it is fixed when "
          + "the model is compiled)";
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

  /** Whether a data value is an integer a Java int holds (NaN is not). */
  private static boolean isInt(double x) {
    return x == Math.rint(x) && x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE;
  }

  /**
   * What is wrong with the value of a free size, or null: sizes count rows, so at least 1, and
   * at least what the model reads or loops over ({@link LeastSize}).
   */
  private String sizeProblem(Variable v, DataSet data) {
    DataSet.Value value = data.get(v.name());
    boolean counts = variables.stream().anyMatch(d -> v.name().equals(d.rows()));
    if (!counts || value == null || value.dims().length != 0) {
      return null;
    }
    for (LeastSize l : leastSizes) {
      if (l.size().equals(v.name()) && value.elements()[0] < l.least() && value.elements()[0] >= 1) {
        return "'" + v.name() + "' is " + DataSet.format(value.elements()[0]) + " in " + data.source()
            + "; the model needs " + v.name() + " >= " + l.least() + " (" + l.reason() + ")";
      }
    }
    if (value.elements()[0] >= 1) {
      return null;
    }
    return "'" + v.name() + "' is " + value.elements()[0] + " in " + data.source() + "; it is the size of "
        + variables.stream().filter(d -> v.name().equals(d.rows())).map(d -> "'" + d.name() + "'").toList()
        + " and must be at least 1";
  }

  /**
   * The values of {@code data} laid out as this layout says, after checking every declared
   * variable ({@link #problem}): the region ({@link #size()} values) followed by the values of
   * dynamic declarations, one after another in declaration order, their header slots holding
   * their offsets in this array. Extra variables in the data are ignored (a data file often
   * serves several models).
   */
  public double[] pack(DataSet data) {
    List<String> problems = new ArrayList<>();
    long length = size();
    for (Variable v : variables) {
      String problem = problem(v, data, indexChecks);
      if (problem == null) {
        problem = sizeProblem(v, data);
      }
      if (problem != null) {
        problems.add(problem);
      } else if (v.isDynamic()) {
        length += data.get(v.name()).elements().length;
      }
    }
    if (!problems.isEmpty()) {
      throw new DataException(String.join("; ", problems));
    }
    if (length > StanJson.MAX_ELEMENTS) {
      throw new DataException("the data in " + data.source() + " hold " + length + " values in all, more than the "
          + StanJson.MAX_ELEMENTS + " one model can take");
    }
    double[] out = new double[(int) length];
    int next = size();
    for (Variable v : variables) {
      DataSet.Value value = data.get(v.name());
      double[] e = value.elements();
      int at = v.offset();
      if (v.isDynamic()) {
        out[v.offset()] = next;
        at = next;
        next += e.length;
      }
      if (value.dims().length == 2) {
        int rows = value.dims()[0];
        int cols = value.dims()[1];
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            out[at + c * rows + r] = e[r * cols + c];
          }
        }
      } else {
        System.arraycopy(e, 0, out, at, e.length);
      }
    }
    return out;
  }

  /**
   * The compact form artifacts store: {@code N:int:=434,y:real:434,X:real:100x5} ({@code =}: a
   * size's value), {@code y:real:N} for a dynamic declaration.
   */
  public String encode() {
    StringBuilder out = new StringBuilder();
    for (IndexCheck c : indexChecks) {
      out.append(out.length() == 0 ? "" : ",").append('#').append(c.variable()).append(':').append(c.shift())
          .append(':').append(c.limit());
    }
    for (LeastSize l : leastSizes) {
      out.append(out.length() == 0 ? "" : ",").append('>').append(l.size()).append(':').append(l.least())
          .append(':').append(l.reason());
    }
    for (Variable v : variables) {
      out.append(out.length() == 0 ? "" : ",").append(v.name()).append(':').append(v.integer() ? "int" : "real")
          .append(':');
      for (int i = 0; i < v.dims().length; i++) {
        out.append(i == 0 ? "" : "x").append(i == 0 && v.isDynamic() ? v.rows() : String.valueOf(v.dims()[i]));
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
    List<LeastSize> least = new ArrayList<>();
    int offset = 0;
    List<Integer> dynamic = new ArrayList<>();
    if (!text.isEmpty()) {
      for (String entry : text.split(",", -1)) {
        String[] f = entry.split(":", -1);
        if (entry.startsWith("#") && f.length == 3) {
          checks.add(new IndexCheck(f[0].substring(1), Integer.parseInt(f[1]), Integer.parseInt(f[2])));
          continue;
        }
        if (entry.startsWith(">") && f.length == 3) {
          least.add(new LeastSize(f[0].substring(1), Integer.parseInt(f[1]), f[2]));
          continue;
        }
        if (f.length != 3 || f[0].isEmpty() || !(f[1].equals("int") || f[1].equals("real"))) {
          throw new IllegalArgumentException("bad data entry '" + entry + "'");
        }
        String shape = f[2].startsWith("=") ? "" : f[2];
        int size = f[2].startsWith("=") ? Integer.parseInt(f[2].substring(1)) : -1;
        String[] tokens = shape.isEmpty() ? new String[0] : shape.split("x");
        int[] dims = new int[tokens.length];
        String rows = null;
        for (int i = 0; i < tokens.length; i++) {
          if (i == 0 && !tokens[i].isEmpty() && !Character.isDigit(tokens[i].charAt(0))) {
            rows = tokens[i];
          } else {
            dims[i] = Integer.parseInt(tokens[i]);
          }
        }
        Variable v = new Variable(f[0], f[1].equals("int"), dims, offset, size, rows);
        if (rows != null) {
          dynamic.add(variables.size());
        } else {
          offset += v.elementCount();
        }
        variables.add(v);
      }
    }
    for (int k : dynamic) {
      Variable v = variables.get(k);
      variables.set(k, v.placed(offset++, v.rows()));
    }
    return new DataLayout(variables, checks, least);
  }
}
