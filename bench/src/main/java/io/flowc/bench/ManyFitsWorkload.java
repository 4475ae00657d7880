package io.flowc.bench;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.ArtifactWriter;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.DataSetInput;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.many.ManyFits;
import io.flowc.runtime.many.SetResult;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nuts.NutsSettings;
import io.flowc.runtime.optim.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Workload W8 (DESIGN section 8), many fits embedded: examples/regression.flow compiled once into
 * an artifact (N free), fitted to generated data sets of 20 to 200 rows with NFVI
 * {@code scale-hh*3-loc} (adam 0.01, 3000 iterations, 1000 evaluation draws, 500 draws for the
 * summaries) and NUTS (one chain, 500 tuning + 500 draws), on 1 and 2 threads: wall time, fits per
 * second and the speed-up. Set k is generated from its own stream, so the sets are the same on
 * every run and any subset is a prefix of the full 10,000.
 * Run: {@code java -cp bench/target/benchmarks.jar io.flowc.bench.ManyFitsWorkload examples [nfvi sets] [nuts sets]}.
 */
public final class ManyFitsWorkload {
  private ManyFitsWorkload() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "examples");
    int nfviSets = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int nutsSets = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    long start = System.nanoTime();
    Artifact artifact = compile(dir.resolve("regression.flow"));
    System.out.printf(Locale.ROOT, "W8: regression.flow compiled to an artifact in %.3f s; %d cores, load %s%n",
        (System.nanoTime() - start) / 1e9, Runtime.getRuntime().availableProcessors(), load());
    DataSet none = new DataSet("none", Map.of());
    FitMethod nfvi = new FitMethod.Nfvi("scale-hh*3-loc", new Nfvi.Settings(3000, Optimizers.byName("adam", 0.01), 1,
        1.0, 0, Nfvi.Settings.NO_CLIPPING, List.of()), 1, 500);
    FitMethod nuts = new FitMethod.Nuts(NutsSettings.defaults().withChains(1).withTune(500).withDraws(500));
    System.out.printf(Locale.ROOT, "%-5s %7s %8s %10s %9s %9s %12s %8s%n", "method", "threads", "sets", "seconds",
        "fits/s", "speed-up", "cpu ms/fit", "ok");
    for (Object[] w : new Object[][] {{"nfvi", nfvi, nfviSets}, {"nuts", nuts, nutsSets}}) {
      int sets = (Integer) w[2];
      if (sets == 0) {
        continue;
      }
      ManyFits engine = ManyFits.of(artifact, none, (FitMethod) w[1], 0);
      double one = 0;
      for (int threads : new int[] {1, 2}) {
        long began = System.nanoTime();
        long cpu = cpuNanos();
        long ok;
        try (Stream<SetResult> results = engine.fitAll(sets(sets), threads)) {
          ok = results.filter(SetResult::ok).count();
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        one = threads == 1 ? seconds : one;
        System.out.printf(Locale.ROOT, "%-5s %7d %8d %10.2f %9.1f %9s %12.2f %8d%n", w[0], threads, sets, seconds,
            sets / seconds, threads == 1 ? "" : String.format(Locale.ROOT, "%.2fx", one / seconds),
            (cpuNanos() - cpu) / 1e6 / sets, ok);
      }
    }
  }

  /** The model compiled as flowc compile does (N free), with the W8 flow. */
  static Artifact compile(Path model) throws Exception {
    DataSet first = set(0).data();
    CheckedModel checked = Compilation.freeSizes(FrontEnd.check(new SourceFile(model.toString(),
        Files.readString(model)), first));
    Path jar = Files.createTempFile("w8-", ".jar");
    try {
      ArtifactWriter.write(checked, List.of(FlowFormulaParsing.parse("scale-hh*3-loc")), jar);
      return Artifact.open(jar);
    } finally {
      Files.deleteIfExists(jar);
    }
  }

  /** Sets 0..n-1, made lazily. */
  static Stream<DataSetInput> sets(int n) {
    return IntStream.range(0, n).mapToObj(ManyFitsWorkload::set);
  }

  /** Set k: N uniform in 20..200, x uniform in (-2, 2), y = alpha + beta x + sigma e with the set's own coefficients. */
  static DataSetInput set(int k) {
    SplittableRandom random = new SplittableRandom(0x5eed_0000L + k);
    int n = 20 + random.nextInt(181);
    double alpha = random.nextDouble(-2, 2);
    double beta = random.nextDouble(-2, 2);
    double sigma = random.nextDouble(0.2, 2);
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = random.nextDouble(-2, 2);
      y[i] = alpha + beta * x[i] + sigma * gaussian(random);
    }
    Map<String, DataSet.Value> values = new LinkedHashMap<>();
    values.put("N", new DataSet.Value(new int[0], new double[] {n}));
    values.put("x", new DataSet.Value(new int[] {n}, x));
    values.put("y", new DataSet.Value(new int[] {n}, y));
    return new DataSetInput("set-" + k, new DataSet("set " + k, values));
  }

  /** A standard normal draw (Box-Muller), so that the sets do not depend on the JDK's Random. */
  private static double gaussian(SplittableRandom random) {
    return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  /**
   * The process's CPU time: on a shared machine the wall time counts the other jobs too, the CPU
   * time per fit does not.
   */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
