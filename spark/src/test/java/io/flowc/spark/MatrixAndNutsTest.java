package io.flowc.spark;

import static io.flowc.spark.SparkTestSupport.bits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.many.DataSetInput;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.many.ManyFits;
import io.flowc.runtime.nuts.NutsSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** A matrix's rows from array columns with a size from the common data, and NUTS: the engine's bits too. */
class MatrixAndNutsTest {
  private static final StructType ROWS = new StructType()
      .add("group", DataTypes.StringType, false)
      .add("X", DataTypes.createArrayType(DataTypes.DoubleType), false)
      .add("y", DataTypes.DoubleType, false);

  /** examples/sblrc_blr.flow (y ~ normal(X * beta, sigma), D = 2 columns) on rows of two groups and a ragged third. */
  @Test
  void matrixRowsComeFromArrayColumns() {
    DataSet common = StanJson.parse("{\"D\": 2}", "common.json");
    byte[] artifact = SparkTestSupport.compile("examples/sblrc_blr.flow", StanJson.parse(
        "{\"N\": 3, \"D\": 2, \"X\": [[1, 0.5], [1, -1], [1, 2]], \"y\": [1, 0, 3]}", "shapes.json"));
    Random random = new Random(3);
    List<Row> rows = new ArrayList<>();
    for (String group : List.of("a", "b")) {
      for (int i = 0; i < 12; i++) {
        double x = random.nextGaussian();
        rows.add(RowFactory.create(group, new Double[] {1.0, x}, 0.5 + 1.5 * x + 0.3 * random.nextGaussian()));
      }
    }
    rows.add(RowFactory.create("c", new Double[] {1.0, 0.2}, 1.0));
    rows.add(RowFactory.create("c", new Double[] {1.0, 0.4, 7.0}, 1.0));
    Dataset<Row> frame = SparkTestSupport.spark().createDataFrame(rows, ROWS);
    FitMethod method = SparkTestSupport.nfvi();
    List<String> results = sorted(SparkManyFits.of(artifact).groupBy("group").common(common).method(method).seed(5)
        .partitions(2).fit(frame).collectAsList());

    ManyFits engine = ManyFits.of(ArtifactCache.open(artifact), common, method, 5);
    List<String> expected = new ArrayList<>();
    for (String group : List.of("a", "b")) {
      List<Row> own = new ArrayList<>(rows.stream().filter(r -> r.getString(0).equals(group)).toList());
      // Spark's order: the array X lexicographically, then y
      own.sort(Comparator.<Row>comparingDouble(r -> x(r)[0]).thenComparingDouble(r -> x(r)[1])
          .thenComparingDouble(r -> r.getDouble(2)));
      double[] xs = own.stream().flatMapToDouble(r -> Arrays.stream(x(r))).toArray();
      double[] ys = own.stream().mapToDouble(r -> r.getDouble(2)).toArray();
      DataSet data = new DataSet(group, Map.of("N", new DataSet.Value(new int[0], new double[] {own.size()}),
          "X", new DataSet.Value(new int[] {own.size(), 2}, xs), "y", new DataSet.Value(new int[] {ys.length}, ys)));
      ResultRows.of(engine.fit(new DataSetInput(group, data)), true).forEach(r -> expected.add(bits(r)));
    }
    assertEquals(expected, results.subList(0, 6));
    assertTrue(results.get(0).startsWith("a|beta[0]|") && results.get(0).contains("|ok|"), results.get(0));
    assertTrue(results.get(6).startsWith("c|null|null|null|null|null|null|bad_data|'X' (column 'X') in row 2 holds 3 "
        + "values, earlier rows 2|"), results.get(6));
  }

  /** The X of an input row (as made above: a Double[]). */
  private static double[] x(Row r) {
    return Arrays.stream((Double[]) r.get(1)).mapToDouble(Double::doubleValue).toArray();
  }

  @Test
  void nutsResultsAreTheEnginesAndFillTheNutsColumns() {
    List<Row> rows = SparkTestSupport.exampleRows().stream().filter(r -> !r.getString(0).equals("store-2")).toList();
    FitMethod nuts = new FitMethod.Nuts(new NutsSettings(100, 100, 1, 0.8, 10, 8, 0, 1, null));
    List<Row> results = SparkManyFits.of(SparkTestSupport.artifact()).groupBy("store").method(nuts).seed(3)
        .fit(SparkTestSupport.spark().createDataFrame(rows, SparkTestSupport.ROWS)).collectAsList();

    Map<String, List<double[]>> groups = new TreeMap<>();
    for (Row r : rows) {
      groups.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(new double[] {r.getDouble(1), r.getDouble(2)});
    }
    ManyFits engine = ManyFits.of(ArtifactCache.open(SparkTestSupport.artifact()), new DataSet("none", Map.of()), nuts, 3);
    List<String> expected = new ArrayList<>();
    groups.forEach((id, points) -> {
      points.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
      double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
      double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
      DataSet data = new DataSet(id, Map.of("N", new DataSet.Value(new int[0], new double[] {x.length}),
          "x", new DataSet.Value(new int[] {x.length}, x), "y", new DataSet.Value(new int[] {y.length}, y)));
      ResultRows.of(engine.fit(new DataSetInput(id, data)), false).forEach(r -> expected.add(bits(r)));
    });
    assertEquals(expected, sorted(results));
    Row first = results.get(0);
    assertNull(first.get(first.fieldIndex("final_loss")));
    assertNull(first.get(first.fieldIndex("pareto_k")));
    assertNotNull(first.get(first.fieldIndex("ess_bulk")));
    assertNotNull(first.get(first.fieldIndex("divergences")));
  }

  private static List<String> sorted(List<Row> rows) {
    List<Row> copy = new ArrayList<>(rows);
    copy.sort(Comparator.comparing((Row r) -> r.getString(0)));
    return copy.stream().map(SparkTestSupport::bits).toList();
  }
}
