package io.flowc.spark;

import static io.flowc.spark.SparkTestSupport.bits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.DataSetInput;
import io.flowc.runtime.many.ManyFits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many fits on Spark in local mode, over examples/regression-rows.csv (three stores): the same
 * bits as the engine on each group's rows, whatever the partitioning, input order or retries.
 */
class SparkManyFitsTest {
  private static final long SEED = 7;

  @TempDir
  Path dir;

  private static SparkManyFits fits() {
    return SparkManyFits.of(SparkTestSupport.artifact()).groupBy("store").method(SparkTestSupport.nfvi()).seed(SEED);
  }

  private static Dataset<Row> frame(List<Row> rows) {
    return SparkTestSupport.spark().createDataFrame(rows, SparkTestSupport.ROWS);
  }

  /** Result rows as text without seconds, ordered by id and then as each set's rows come. */
  private static List<String> collected(Dataset<Row> results) {
    List<Row> rows = new ArrayList<>(results.collectAsList());
    rows.sort(Comparator.comparing((Row r) -> r.getString(0)));
    return rows.stream().map(SparkTestSupport::bits).toList();
  }

  /** What the engine gives for each store's rows, ordered by (x, y) as the Spark job orders them. */
  private static List<String> engineResults(List<Row> rows) {
    return engineResults(rows, true);
  }

  /** What the engine gives for each store's rows, ordered by (x, y) or in the order given. */
  private static List<String> engineResults(List<Row> rows, boolean sorted) {
    Map<String, List<double[]>> groups = new TreeMap<>();
    for (Row r : rows) {
      groups.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(new double[] {r.getDouble(1), r.getDouble(2)});
    }
    ManyFits engine = ManyFits.of(ArtifactCache.open(SparkTestSupport.artifact()), new DataSet("none", Map.of()),
        SparkTestSupport.nfvi(), SEED);
    List<String> out = new ArrayList<>();
    groups.forEach((id, points) -> {
      if (sorted) {
        points.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
      }
      double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
      double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
      DataSet data = new DataSet(id, Map.of("N", new DataSet.Value(new int[0], new double[] {x.length}),
          "x", new DataSet.Value(new int[] {x.length}, x), "y", new DataSet.Value(new int[] {y.length}, y)));
      ResultRows.of(engine.fit(new DataSetInput(id, data)), true).forEach(r -> out.add(bits(r)));
    });
    return out;
  }

  @Test
  void resultsAreTheEnginesBitForBitWhateverThePartitioningAndInputOrder() {
    List<Row> rows = SparkTestSupport.exampleRows();
    List<String> expected = engineResults(rows);
    assertEquals(9, expected.size());
    assertTrue(expected.stream().allMatch(r -> r.contains("|ok|")), expected.toString());

    assertEquals(expected, collected(fits().partitions(3).fit(frame(rows))));
    List<Row> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(5));
    assertEquals(expected, collected(fits().partitions(1).fit(frame(shuffled).repartition(5))));
  }

  @Test
  void anOrderColumnKeepsTheRowsInTheOrderItGives() {
    List<Row> rows = SparkTestSupport.exampleRows();
    List<Row> numbered = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      numbered.add(RowFactory.create(r.get(0), r.get(1), r.get(2), i));
    }
    Dataset<Row> frame = SparkTestSupport.spark().createDataFrame(numbered, SparkTestSupport.ROWS.add("line",
        DataTypes.IntegerType));
    List<String> inFileOrder = engineResults(rows, false);
    assertEquals(inFileOrder, collected(fits().orderBy("line").fit(frame.repartition(3))));
    // the order matters to the bits: sorted rows give other results
    assertTrue(!inFileOrder.equals(engineResults(rows)));
  }

  /** Tasks failed on purpose: local mode runs them in this JVM (an accumulator drops a failed task's counts). */
  private static final AtomicInteger FAILURES = new AtomicInteger();

  /** Fails every task's first attempt after it has fitted its groups, so that every fit runs again. */
  private static final class FailFirstAttempt implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public java.util.Iterator<Row> call(java.util.Iterator<Row> input) {
      List<Row> out = new ArrayList<>();
      input.forEachRemaining(out::add);
      if (!out.isEmpty() && TaskContext.get().attemptNumber() == 0) {
        FAILURES.incrementAndGet();
        throw new IllegalStateException("a lost executor, as far as the job can tell");
      }
      return out.iterator();
    }
  }

  @Test
  void aRetriedTaskGivesTheSameRows() {
    List<Row> rows = SparkTestSupport.exampleRows();
    int before = FAILURES.get();
    Dataset<Row> retried = fits().partitions(2).fit(frame(rows))
        .mapPartitions(new FailFirstAttempt(), Encoders.row(ResultRows.SCHEMA));
    List<String> results = collected(retried);
    assertTrue(FAILURES.get() > before, "no task failed");
    assertEquals(engineResults(rows), results);
  }

  @Test
  void aBadGroupIsAStatusInItsRowAndTheOthersAreFitted() {
    List<Row> rows = new ArrayList<>(SparkTestSupport.exampleRows());
    List<String> expected = engineResults(rows);
    rows.add(RowFactory.create("store-9", 0.5, 1.0));
    rows.add(RowFactory.create("store-9", 1.5, null));
    // the data column has another name than the model's y
    Dataset<Row> frame = frame(rows).withColumnRenamed("y", "sales");
    List<String> results = collected(fits().column("y", "sales").fit(frame));

    assertEquals(expected, results.subList(0, 9));
    assertEquals(10, results.size());
    String bad = results.get(9);
    assertTrue(bad.startsWith("store-9|null|null|null|null|null|null|bad_data|'y' (column 'sales') in row 2 is null|"),
        bad);
  }

  @Test
  void theMainClassReadsParquetOrCsvAndWritesParquet() throws Exception {
    Path jar = dir.resolve("regression.jar");
    Files.write(jar, SparkTestSupport.artifact());
    SparkSession spark = SparkTestSupport.spark();
    List<Row> rows = SparkTestSupport.exampleRows();
    frame(rows).write().parquet(dir.resolve("rows.parquet").toString());
    String[] settings = {"--method", "nfvi", "--flow", SparkTestSupport.FORMULA, "--iters", "300", "--optimizer", "adam",
        "--lr", "0.05", "--draws", "200", "--seed", String.valueOf(SEED)};
    String[] spark2 = concat(settings, "--model", jar.toString(), "--group", "store", "--partitions", "2");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, SparkFitMany.run(spark, concat(spark2, "--input", dir.resolve("rows.parquet").toString(),
        "--out", dir.resolve("from-parquet").toString()), new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("fitted 3 sets (ok 3) in "), out.toString());
    assertEquals(engineResults(rows), collected(spark.read().parquet(dir.resolve("from-parquet").toString())));
    // the same options on a DataFrame in hand, as PySpark passes them through py4j
    assertEquals(engineResults(rows), collected(SparkFitMany.fit(frame(rows), List.of(spark2))));

    // the example file with each store's rows in the order the job puts them (x, then y), for fit-many to read
    List<String> lines = Files.readAllLines(SparkTestSupport.repoRoot().resolve("examples/regression-rows.csv"));
    List<String> sorted = new ArrayList<>(lines.subList(1, lines.size()));
    sorted.sort(Comparator.comparing((String l) -> l.split(",")[0])
        .thenComparing(l -> number(l.split(",")[1])).thenComparing(l -> number(l.split(",")[2])));
    sorted.add(0, lines.get(0));
    Path csv = Files.write(dir.resolve("rows.csv"), sorted);
    assertEquals(0, io.flowc.cli.Main.run(System.out, System.err, concat(concat(new String[] {"fit-many", jar.toString()},
        settings), "--data-csv", csv.toString(), "--group", "store", "--threads", "1",
        "--out", dir.resolve("fit-many.csv").toString())));
    assertEquals(0, SparkFitMany.run(spark, concat(spark2, "--input", csv.toString(),
        "--out", dir.resolve("from-csv").toString()), System.out, System.err));

    Dataset<Row> fromCsv = spark.read().parquet(dir.resolve("from-csv").toString());
    assertEquals(List.of(ResultRows.SCHEMA.fieldNames()), List.of(fromCsv.columns()));
    List<String> results = collected(fromCsv);
    List<String> fitMany = fitManyResults(dir.resolve("fit-many.csv"));
    assertEquals(10, results.size());
    // the same bits; store-4's y is 'oops': bad data in both (the messages say where in their own terms)
    assertEquals(fitMany.subList(0, 9), results.subList(0, 9));
    assertTrue(fitMany.get(9).startsWith("store-4|null|null|null|null|null|null|bad_data|"), fitMany.get(9));
    assertTrue(results.get(9).startsWith("store-4|null|null|null|null|null|null|bad_data|'y' (column 'y') in row 1 "
        + "is 'oops', not a number|"), results.get(9));
  }

  /** A cell's number, with text that is none last. */
  private static double number(String cell) {
    try {
      return Double.parseDouble(cell);
    } catch (NumberFormatException e) {
      return Double.POSITIVE_INFINITY;
    }
  }

  /** fit-many's CSV results as {@link SparkTestSupport#bits} writes a result row (empty cells are null), ordered by id. */
  private static List<String> fitManyResults(Path file) throws Exception {
    List<String> lines = Files.readAllLines(file);
    List<String> header = fields(lines.get(0));
    List<List<String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      rows.add(fields(line));
    }
    rows.sort(Comparator.comparing((List<String> r) -> r.get(0)));
    List<String> out = new ArrayList<>();
    for (List<String> r : rows) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        String name = header.get(i);
        String cell = r.get(i);
        if (name.equals("seconds")) {
          continue;
        }
        boolean real = ResultRows.SCHEMA.apply(name).dataType().equals(DataTypes.DoubleType);
        boolean text = List.of("id", "status", "message").contains(name);
        s.append(cell.isEmpty() && !text ? "null"
            : real ? Long.toHexString(Double.doubleToRawLongBits(Double.parseDouble(cell))) : cell).append('|');
      }
      out.add(s.toString());
    }
    return out;
  }

  /** The fields of a CSV line; a field in double quotes may hold commas and "" for a quote. */
  private static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
        field.append('"');
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    out.add(field.toString());
    return out;
  }

  @Test
  void mistakesInTheArgumentsExitWithTwoAndOneLine() throws Exception {
    Path jar = dir.resolve("regression.jar");
    Files.write(jar, SparkTestSupport.artifact());
    String csv = SparkTestSupport.repoRoot().resolve("examples/regression-rows.csv").toString();
    assertEquals("error: no group column 'shop' (columns: store, x, y)", error("--model", jar.toString(), "--input", csv,
        "--group", "shop", "--method", "nfvi", "--flow", SparkTestSupport.FORMULA, "--out", dir.resolve("o1").toString()));
    assertEquals("error: no column 'y' for the model's data real y[N] (columns: store, x, sales); map one with "
        + "column(\"y\", COLUMN)", errorOn(frame(SparkTestSupport.exampleRows()).withColumnRenamed("y", "sales")));
    assertEquals("error: --chains applies to --method nuts", error("--model", jar.toString(), "--input", csv,
        "--group", "store", "--method", "nfvi", "--flow", SparkTestSupport.FORMULA, "--chains", "2", "--out",
        dir.resolve("o3").toString()));
    assertTrue(error("--model", jar.toString(), "--input", csv, "--group", "store", "--method", "nfvi", "--flow", "planar*2",
        "--out", dir.resolve("o2").toString()).startsWith("error: "));
  }

  private static String errorOn(Dataset<Row> frame) {
    try {
      fits().fit(frame);
      return "no error";
    } catch (IllegalArgumentException e) {
      return "error: " + e.getMessage();
    }
  }

  private static String error(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, SparkFitMany.run(SparkTestSupport.spark(), args, System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8)));
    return err.toString(StandardCharsets.UTF_8).strip();
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
