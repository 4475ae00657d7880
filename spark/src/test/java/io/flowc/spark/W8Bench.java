package io.flowc.spark;

import io.flowc.runtime.Artifact;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.DataSetInput;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.many.ManyFits;
import io.flowc.runtime.many.SetResult;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nuts.NutsSettings;
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
 * Workload W8 (DESIGN §8) as io.flowc.bench.ManyFitsWorkload runs it embedded: 10,000 data sets
 * of examples/regression.flow, N from 20 to 200 rows each, NFVI {@code scale-hh*3-loc} (adam 0.01,
 * 3000 iterations, 500 draws for the summaries). One mode per JVM, so that neither warms the
 * other's JIT:
 *
 * <pre>
 *   W8Bench embedded THREADS [SETS [nfvi|nuts]]   the engine on a thread pool (what fit-many runs)
 *   W8Bench spark MASTER [SETS [nfvi|nuts]]       SparkManyFits on the same rows, e.g. local[2]
 * </pre>
 *
 * Prints fits per second, the process's CPU time per fit (the machine may be shared), and for
 * Spark its start-up (session and a first job) apart from the job, which reads the rows from
 * Parquet (written beforehand, not timed), fits and collects the results. Both modes also print a digest
 * of every result (seconds aside), equal when the bits are.
 */
public final class W8Bench {
  static final String FORMULA = "scale-hh*3-loc";
  static final long SEED = 0;

  private W8Bench() {}

  /**
   * Rows of set k, the data of io.flowc.bench.ManyFitsWorkload's set k: N uniform in 20..200, x
   * uniform in (-2, 2), y = alpha + beta x + sigma e with the set's own coefficients; ordered by
   * (x, y) as the Spark job orders a group's rows, so that both modes fit the same data sets.
   */
  static List<double[]> rows(int k) {
    SplittableRandom random = new SplittableRandom(0x5eed_0000L + k);
    int n = 20 + random.nextInt(181);
    double alpha = random.nextDouble(-2, 2);
    double beta = random.nextDouble(-2, 2);
    double sigma = random.nextDouble(0.2, 2);
    List<double[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double x = random.nextDouble(-2, 2);
      double e = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
      rows.add(new double[] {x, alpha + beta * x + sigma * e});
    }
    rows.sort(Comparator.<double[]>comparingDouble(r -> r[0]).thenComparingDouble(r -> r[1]));
    return rows;
  }

  static String id(int k) {
    return "set-" + k;
  }

  /** The method named: nfvi (default) or nuts (one chain, 500 tuning + 500 draws, as the embedded workload's). */
  static FitMethod method(String name) {
    if (name.equals("nuts")) {
      return new FitMethod.Nuts(NutsSettings.defaults().withChains(1).withTune(500).withDraws(500));
    }
    return new FitMethod.Nfvi(FORMULA, new Nfvi.Settings(3000, Optimizers.byName("adam", 0.01), 1, 1, 0,
        Nfvi.Settings.NO_CLIPPING, List.of()), 1, 500);
  }

  public static void main(String[] args) {
    int sets = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    FitMethod method = method(args.length > 3 ? args[3] : "nfvi");
    byte[] artifact = SparkTestSupport.artifact();
    switch (args[0]) {
      case "embedded" -> embedded(artifact, Integer.parseInt(args[1]), sets, method);
      case "spark" -> spark(artifact, args[1], sets, method);
      default -> throw new IllegalArgumentException("mode: embedded or spark");
    }
  }

  /** The process's CPU time (every thread, Spark's own included). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static void embedded(byte[] bytes, int threads, int sets, FitMethod method) {
    long start = System.nanoTime();
    long cpu = cpuNanos();
    ManyFits engine = ManyFits.of(ArtifactCache.open(bytes), new DataSet("none", Map.of()), method, SEED);
    List<SetResult> results = engine.fitAll(java.util.stream.IntStream.range(0, sets).mapToObj(k -> {
      List<double[]> rows = rows(k);
      double[] x = rows.stream().mapToDouble(r -> r[0]).toArray();
      double[] y = rows.stream().mapToDouble(r -> r[1]).toArray();
      return new DataSetInput(id(k), new DataSet(id(k), Map.of("N", new DataSet.Value(new int[0], new double[] {x.length}),
          "x", new DataSet.Value(new int[] {x.length}, x), "y", new DataSet.Value(new int[] {y.length}, y))));
    }), threads).toList();
    double seconds = (System.nanoTime() - start) / 1e9;
    List<Row> rows = new ArrayList<>();
    results.forEach(r -> rows.addAll(ResultRows.of(r, method instanceof FitMethod.Nfvi)));
    report("embedded, " + threads + " thread" + (threads == 1 ? "" : "s"), sets, 0, seconds, cpuNanos() - cpu, rows);
  }

  private static void spark(byte[] bytes, String master, int sets, FitMethod method) {
    long start = System.nanoTime();
    SparkSession spark = SparkSession.builder().master(master).appName("flowc W8")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    spark.range(1).count();  // the first job: what a job pays once, apart from the fits
    double startup = (System.nanoTime() - start) / 1e9;

    String parquet = writeRows(spark, sets);
    long fitStart = System.nanoTime();
    long cpu = cpuNanos();
    Dataset<Row> frame = spark.read().parquet(parquet);
    List<Row> rows = SparkManyFits.of(bytes).groupBy("store").method(method).seed(SEED).fit(frame).collectAsList();
    double seconds = (System.nanoTime() - fitStart) / 1e9;
    report("spark " + master + " (Parquet read, fitted, collected)", sets, startup, seconds, cpuNanos() - cpu, rows);
    spark.stop();
  }

  /** The sets' rows as a job would find them: Parquet (written beforehand, not timed). */
  private static String writeRows(SparkSession spark, int sets) {
    List<Row> input = new ArrayList<>();
    for (int k = 0; k < sets; k++) {
      for (double[] r : rows(k)) {
        input.add(RowFactory.create(id(k), r[0], r[1]));
      }
    }
    try {
      String parquet = java.nio.file.Files.createTempDirectory("w8-rows").resolve("rows.parquet").toString();
      spark.createDataFrame(input, SparkTestSupport.ROWS).write().parquet(parquet);
      return parquet;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void report(String what, int sets, double startup, double seconds, long cpu, List<Row> rows) {
    List<String> bits = new ArrayList<>(rows.stream().map(SparkTestSupport::bits).toList());
    bits.sort(Comparator.naturalOrder());
    long ok = rows.stream().filter(r -> r.getString(7).equals(SetResult.OK)).map(r -> r.getString(0)).distinct().count();
    double fitting = rows.stream().filter(r -> r.get(1) == null || r.getString(1).equals("alpha"))
        .mapToDouble(r -> r.getDouble(14)).sum();
    System.out.printf(Locale.ROOT, "W8 %s: %d sets (%d ok) in %.1f s = %.0f fits/s, CPU %.2f ms per fit (%.1f s inside "
        + "fits)%s; load %.1f; results digest %s%n", what, sets, ok, seconds, sets / seconds, cpu / 1e6 / sets, fitting,
        startup > 0 ? String.format(Locale.ROOT, " (+ %.1f s start-up)", startup) : "",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        Artifact.sha256(String.join("\n", bits).getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16));
  }
}
