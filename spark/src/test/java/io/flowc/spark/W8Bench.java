package io.flowc.spark;

import io.flowc.runtime.Artifact;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.DataSetInput;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.many.ManyFits;
import io.flowc.runtime.many.SetResult;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.optim.Optimizers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Workload W8 (DESIGN §8): 10,000 data sets of examples/regression.flow, N from 20 to 200 rows
 * each, NFVI {@code scale-hh*3-loc} for 3000 iterations (fit-many's other defaults). One mode per
 * JVM, so that neither warms the other's JIT:
 *
 * <pre>
 *   W8Bench embedded THREADS [SETS]   the engine on a thread pool (what fit-many runs)
 *   W8Bench spark MASTER [SETS]       SparkManyFits on the same rows, e.g. local[2]
 * </pre>
 *
 * Prints fits per second, and for Spark its start-up (session and first job) apart from the fits.
 * Both modes also print a digest of every result (seconds aside), equal when the bits are.
 */
public final class W8Bench {
  static final String FORMULA = "scale-hh*3-loc";
  static final long SEED = 1;

  private W8Bench() {}

  /** Rows of set k: y = a + b x + s e with a, b, s of the set; each set's rows ordered by (x, y) as the Spark job orders them. */
  static List<double[]> rows(int k) {
    SplittableRandom random = new SplittableRandom(ManyFits.seedOf(8, "w8:" + k));
    int n = 20 + random.nextInt(181);
    double a = random.nextDouble(-1, 1);
    double b = random.nextDouble(-2, 2);
    double s = random.nextDouble(0.2, 1.2);
    List<double[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double x = random.nextDouble(-1, 1);
      double e = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
      rows.add(new double[] {x, a + b * x + s * e});
    }
    rows.sort(Comparator.<double[]>comparingDouble(r -> r[0]).thenComparingDouble(r -> r[1]));
    return rows;
  }

  static String id(int k) {
    return "set-" + k;
  }

  static FitMethod method() {
    return new FitMethod.Nfvi(FORMULA, new Nfvi.Settings(3000, Optimizers.byName("adagrad_window"), 1, 1, 0,
        Nfvi.Settings.NO_CLIPPING, List.of()), 1, 500);
  }

  public static void main(String[] args) {
    int sets = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    byte[] artifact = SparkTestSupport.artifact();
    switch (args[0]) {
      case "embedded" -> embedded(artifact, Integer.parseInt(args[1]), sets);
      case "spark" -> spark(artifact, args[1], sets);
      default -> throw new IllegalArgumentException("mode: embedded or spark");
    }
  }

  private static void embedded(byte[] bytes, int threads, int sets) {
    long start = System.nanoTime();
    ManyFits engine = ManyFits.of(ArtifactCache.open(bytes), new DataSet("none", Map.of()), method(), SEED);
    List<SetResult> results = engine.fitAll(java.util.stream.IntStream.range(0, sets).mapToObj(k -> {
      List<double[]> rows = rows(k);
      double[] x = rows.stream().mapToDouble(r -> r[0]).toArray();
      double[] y = rows.stream().mapToDouble(r -> r[1]).toArray();
      return new DataSetInput(id(k), new DataSet(id(k), Map.of("N", new DataSet.Value(new int[0], new double[] {x.length}),
          "x", new DataSet.Value(new int[] {x.length}, x), "y", new DataSet.Value(new int[] {y.length}, y))));
    }), threads).toList();
    double seconds = (System.nanoTime() - start) / 1e9;
    List<Row> rows = new ArrayList<>();
    results.forEach(r -> rows.addAll(ResultRows.of(r, true)));
    report("embedded, " + threads + " thread" + (threads == 1 ? "" : "s"), sets, 0, seconds, rows);
  }

  private static void spark(byte[] bytes, String master, int sets) {
    long start = System.nanoTime();
    SparkSession spark = SparkSession.builder().master(master).appName("flowc W8")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    double session = (System.nanoTime() - start) / 1e9;
    List<Row> input = new ArrayList<>();
    for (int k = 0; k < sets; k++) {
      for (double[] r : rows(k)) {
        input.add(RowFactory.create(id(k), r[0], r[1]));
      }
    }
    Dataset<Row> frame = spark.createDataFrame(input, SparkTestSupport.ROWS);
    SparkManyFits fits = SparkManyFits.of(bytes).groupBy("store").method(method()).seed(SEED);
    frame.count();  // the session's start-up and the first job's (the rows made into a table), apart from the fits
    double startup = (System.nanoTime() - start) / 1e9;
    long fitStart = System.nanoTime();
    List<Row> rows = fits.fit(frame).collectAsList();
    double seconds = (System.nanoTime() - fitStart) / 1e9;
    report(String.format(Locale.ROOT, "spark %s (session %.1f s)", master, session), sets, startup, seconds, rows);
    spark.stop();
  }

  private static void report(String what, int sets, double startup, double seconds, List<Row> rows) {
    List<String> bits = new ArrayList<>(rows.stream().map(SparkTestSupport::bits).toList());
    bits.sort(Comparator.naturalOrder());
    long ok = rows.stream().filter(r -> r.getString(7).equals(SetResult.OK)).map(r -> r.getString(0)).distinct().count();
    double fitting = rows.stream().filter(r -> r.get(1) == null || r.getString(1).equals("alpha"))
        .mapToDouble(r -> r.getDouble(14)).sum();
    System.out.printf(Locale.ROOT, "W8 %s: %d sets (%d ok) in %.1f s = %.0f fits/s (%.1f s inside fits)%s; results digest %s%n",
        what, sets, ok, seconds, sets / seconds, fitting, startup > 0 ? String.format(Locale.ROOT, " (+ %.1f s start-up)", startup) : "",
        Artifact.sha256(String.join("\n", bits).getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16));
  }
}
