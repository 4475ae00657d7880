package io.flowc.spark;

import io.flowc.runtime.Artifact;
import io.flowc.runtime.data.DataLayout;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.many.ManyFits;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;

/**
 * One compiled artifact fitted to every group of a {@code Dataset<Row>} in long format (one row
 * per observation, a group column naming the data set), on Spark executors:
 *
 * <pre>{@code
 * Dataset<Row> results = SparkManyFits.of(Path.of("regression.jar"))
 *     .groupBy("store")
 *     .method(new FitMethod.Nfvi("scale-hh*3-loc", settings, 1, 1000))
 *     .seed(42)
 *     .fit(rows);
 * }</pre>
 *
 * <p>The model's data whose rows a free size counts ({@code real y[N]}) come from the columns of
 * the same names, or those {@link #column} maps them to; the free sizes are each group's row count;
 * everything else comes from {@link #common}. Within a group, rows are ordered by the
 * {@link #orderBy} columns, if any, and then by the data columns in the model's order (numbers by
 * value, text cells by the number they spell), so a group's data set, and so its result, is the same whatever the partitioning, the order rows
 * arrive in, or a retried task: the same bits as {@link ManyFits} on that data set with the same
 * seed. The artifact's bytes are broadcast; executors never compile.
 *
 * <p>The result has {@link ResultRows#SCHEMA}; a group whose rows cannot make a data set, or whose
 * fit fails, has a status and a message in its row and never stops the others.
 */
public final class SparkManyFits {
  private final byte[] artifactBytes;
  private final String artifactSha256;
  private final Artifact artifact;
  private final List<String> groupColumns = new ArrayList<>();
  private final Map<String, String> columns = new LinkedHashMap<>();
  private final List<String> orderColumns = new ArrayList<>();
  private DataSet common = new DataSet("no common data", Map.of());
  private FitMethod method;
  private long seed;
  private int partitions;
  private int evalDraws = ManyFits.DEFAULT_EVAL_DRAWS;

  private SparkManyFits(byte[] bytes) {
    this.artifactBytes = bytes.clone();
    this.artifactSha256 = Artifact.sha256(artifactBytes);
    this.artifact = ArtifactCache.open(artifactSha256, () -> artifactBytes);
  }

  /** Over an artifact's bytes (as {@code flowc compile} writes them). @throws io.flowc.runtime.ArtifactException if they are not one */
  public static SparkManyFits of(byte[] artifactBytes) {
    return new SparkManyFits(Objects.requireNonNull(artifactBytes, "artifactBytes"));
  }

  /** Over an artifact file, read on the driver. @throws io.flowc.runtime.ArtifactException if it is not one */
  public static SparkManyFits of(Path artifact) {
    Artifact.open(artifact);  // its own messages name the file
    try {
      return of(Files.readAllBytes(artifact));
    } catch (IOException e) {
      throw new UncheckedIOException(artifact + ": " + e.getMessage(), e);
    }
  }

  /** The artifact, as opened on the driver. */
  public Artifact artifact() {
    return artifact;
  }

  /** The columns whose values name a group (its id: their values as text, joined by '/'). */
  public SparkManyFits groupBy(String... columns) {
    groupColumns.clear();
    groupColumns.addAll(Arrays.asList(columns));
    return this;
  }

  /** The model's data {@code data} is read from {@code column} (default: the column of the same name). */
  public SparkManyFits column(String data, String column) {
    columns.put(Objects.requireNonNull(data, "data"), Objects.requireNonNull(column, "column"));
    return this;
  }

  /** The columns that order a group's rows, before the data columns (which alone order them by default). */
  public SparkManyFits orderBy(String... columns) {
    orderColumns.clear();
    orderColumns.addAll(Arrays.asList(columns));
    return this;
  }

  /** Data every group shares (sizes that are not row counts, priors' constants). */
  public SparkManyFits common(DataSet data) {
    this.common = Objects.requireNonNull(data, "data");
    return this;
  }

  public SparkManyFits method(FitMethod method) {
    this.method = Objects.requireNonNull(method, "method");
    return this;
  }

  /** The base seed: a group's seed is {@link ManyFits#seedOf}(seed, id). */
  public SparkManyFits seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** Fresh draws (at least 2) for each NFVI fit's final loss and Pareto k (default {@value ManyFits#DEFAULT_EVAL_DRAWS}). */
  public SparkManyFits evalDraws(int n) {
    if (n < 2) {
      throw new IllegalArgumentException("evaluation draws must be >= 2");
    }
    this.evalDraws = n;
    return this;
  }

  /** Partitions the groups are spread over (default: four per core of the application). */
  public SparkManyFits partitions(int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1");
    }
    this.partitions = partitions;
    return this;
  }

  /**
   * The results of every group of {@code rows} (lazy, as any Dataset: fits run when it is written
   * or collected).
   *
   * @throws IllegalArgumentException naming a missing column, a column of the wrong type, or a method that cannot travel
   */
  public Dataset<Row> fit(Dataset<Row> rows) {
    if (method == null) {
      throw new IllegalArgumentException("no method: call method(...) first");
    }
    if (groupColumns.isEmpty()) {
      throw new IllegalArgumentException("no group column: call groupBy(...) first");
    }
    // fails here, on the driver, for a formula the artifact lacks, rather than in every task
    ManyFits.of(artifact, common, method, seed);
    Serializable encodedMethod = MethodCodec.encode(method);

    Set<String> available = new LinkedHashSet<>(Arrays.asList(rows.columns()));
    for (String group : groupColumns) {
      require(available, group, "group column");
    }
    List<String> names = new ArrayList<>();
    List<String> dataColumns = new ArrayList<>();
    Set<String> sizes = new LinkedHashSet<>();
    for (DataLayout.Variable v : artifact.dataLayout().variables()) {
      if ((v.isDynamic() || columns.containsKey(v.name())) && common.get(v.name()) == null) {
        String column = columns.getOrDefault(v.name(), v.name());
        if (!available.contains(column)) {
          throw new IllegalArgumentException("no column '" + column + "' for the model's data " + v.describe()
              + " (columns: " + String.join(", ", available) + "); map one with column(\"" + v.name() + "\", COLUMN)");
        }
        checkType(rows.schema().apply(column), v);
        names.add(v.name());
        dataColumns.add(column);
        if (v.isDynamic() && common.get(v.rows()) == null) {
          sizes.add(v.rows());
        }
      }
    }
    for (String data : columns.keySet()) {
      if (artifact.dataLayout().variable(data) == null) {
        throw new IllegalArgumentException("column(\"" + data + "\", ...): the model declares no data '" + data + "'");
      }
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("the model declares no data whose rows a free size counts, so a group's rows "
          + "have nothing to fill");
    }
    // the data columns break ties between the order columns: rows that still tie are equal in all they give
    List<String> order = new ArrayList<>(new LinkedHashSet<>(orderColumns));
    dataColumns.stream().filter(c -> !order.contains(c)).forEach(order::add);
    for (String column : order) {
      require(available, column, "order column");
    }

    // the selection: group columns, then data columns, then order columns not among them
    List<String> selected = new ArrayList<>(groupColumns);
    List<Integer> fields = new ArrayList<>();
    for (String column : dataColumns) {
      fields.add(indexAdding(selected, column));
    }
    for (String column : order) {
      indexAdding(selected, column);
    }
    List<Column> sortKey = new ArrayList<>();
    for (String column : groupColumns) {
      sortKey.add(functions.col(column).asc_nulls_first());
    }
    for (String column : order) {
      // text cells (CSV) in the order of the numbers they spell, as numeric columns are ordered
      if (rows.schema().apply(column).dataType() instanceof StringType) {
        sortKey.add(functions.col(column).cast(DataTypes.DoubleType).asc_nulls_first());
      }
      sortKey.add(functions.col(column).asc_nulls_first());
    }

    JavaSparkContext context = JavaSparkContext.fromSparkContext(rows.sparkSession().sparkContext());
    int n = partitions > 0 ? partitions : 4 * context.defaultParallelism();
    Broadcast<byte[]> bytes = context.broadcast(artifactBytes);
    GroupFitter fitter = new GroupFitter(bytes, artifactSha256, encodedMethod, new CommonData(common), seed, evalDraws,
        groupColumns.size(), new RowPacking(names, fields, dataColumns, List.copyOf(sizes)));
    Column[] groupKey = groupColumns.stream().map(functions::col).toArray(Column[]::new);
    return rows.select(selected.stream().map(functions::col).toArray(Column[]::new))
        .repartition(n, groupKey)
        .sortWithinPartitions(sortKey.toArray(Column[]::new))
        .mapPartitions(fitter, Encoders.row(ResultRows.SCHEMA));
  }

  private static int indexAdding(List<String> selected, String column) {
    int k = selected.indexOf(column);
    if (k < 0) {
      selected.add(column);
      k = selected.size() - 1;
    }
    return k;
  }

  private static void require(Set<String> available, String column, String what) {
    if (!available.contains(column)) {
      throw new IllegalArgumentException("no " + what + " '" + column + "' (columns: " + String.join(", ", available) + ")");
    }
  }

  /** Numbers for a vector's rows, arrays of numbers for a matrix's. */
  private static void checkType(StructField field, DataLayout.Variable v) {
    DataType type = field.dataType();
    boolean matrix = v.dims().length == 2;
    boolean ok = matrix ? type instanceof ArrayType a && a.elementType() instanceof NumericType
        : type instanceof NumericType || type instanceof StringType;
    if (!ok) {
      throw new IllegalArgumentException("column '" + field.name() + "' is " + type.simpleString() + ", but the model's "
          + v.describe() + " needs " + (matrix ? "an array of numbers" : "a number (or text spelling one)") + " in each row");
    }
  }
}
