package io.flowc.bench;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.diagnostics.Convergence;
import io.flowc.runtime.nuts.ChainStats;
import io.flowc.runtime.nuts.Nuts;
import io.flowc.runtime.nuts.NutsResult;
import io.flowc.runtime.nuts.NutsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * W9 (DESIGN section 8): NUTS on a logistic regression with 100,000 rows and 20 predictors
 * ({@code examples/logistic.flow}, data from {@link W9Data} with its fixed seed), 4 chains x (1000
 * tune + 1000 draws), target_accept 0.8, seeds 0 .. runs-1, for each thread count asked for (the
 * chains run on up to that many threads; a gradient runs on one). The model is compiled once, as
 * {@code flowc sample --data} compiles it. Per run: wall time of sampling, gradient evaluations
 * (tuning included), microseconds per gradient inside NUTS (the chains' own times over their
 * gradients), the smallest bulk ESS over the 21 parameters and that per second of wall time,
 * divergences and the largest R-hat; then the medians, and the bare gradient's cost.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.flowc.bench.W9Workload examples [runs]
 * [threads,...] [tune draws]} (defaults: 3 runs, threads 1, 1000 1000; fewer iterations only to try it).
 */
public final class W9Workload {
  private W9Workload() {}

  /** One run's figures. */
  record Run(double seconds, long gradients, double microsPerGradient, double minEss, int divergences,
      double maxRHat) {
    double essPerSecond() {
      return minEss / seconds;
    }
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "examples");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int[] threads = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {1};
    int tune = args.length > 4 ? Integer.parseInt(args[3]) : 1000;
    int draws = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
    long start = System.nanoTime();
    W9Data.Data data = W9Data.generate(W9Data.ROWS, W9Data.PREDICTORS, W9Data.SEED);
    double generateSeconds = (System.nanoTime() - start) / 1e9;
    Path file = dir.resolve("logistic.flow");
    start = System.nanoTime();
    LogDensity density = Compilation.load(FrontEnd.check(new SourceFile(file.toString(), Files.readString(file)),
        data.toDataSet("W9 data (seed " + W9Data.SEED + ")")));
    double compileSeconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "W9: %s, %d rows x %d predictors (made in %.2f s; compile %.3f s)%n", file,
        data.n(), data.k(), generateSeconds, compileSeconds);
    System.out.printf(Locale.ROOT, "NUTS, 4 chains x (%d tune + %d draws), target_accept 0.8%n", tune, draws);
    System.out.printf(Locale.ROOT, "%7s %4s %9s %10s %9s %9s %9s %5s %8s%n", "threads", "seed", "sample s", "gradients",
        "us/grad", "min ESS", "ESS/s", "div", "max R");
    for (int t : threads) {
      Run[] all = new Run[runs];
      for (int r = 0; r < runs; r++) {
        all[r] = run(density, NutsSettings.defaults().withChains(4).withThreads(t).withTune(tune).withDraws(draws)
            .withTargetAccept(0.8).withSeed(r));
        print(t, Integer.toString(r), all[r]);
      }
      print(t, "med", new Run(Timing.median(all, Run::seconds), (long) Timing.median(all, Run::gradients),
          Timing.median(all, Run::microsPerGradient), Timing.median(all, Run::minEss),
          (int) Timing.median(all, Run::divergences), Timing.median(all, Run::maxRHat)));
    }
    System.out.printf(Locale.ROOT, "bare gradient: %.1f us%n", bareGradientMicros(density));
  }

  static Run run(LogDensity density, NutsSettings settings) {
    NutsResult result = Nuts.sample(density, settings);
    double minEss = Double.POSITIVE_INFINITY;
    double maxRHat = 0;
    for (int k = 0; k < result.dimension(); k++) {
      minEss = Math.min(minEss, Convergence.essBulk(result.element(k)));
      maxRHat = Math.max(maxRHat, Convergence.rHat(result.element(k)));
    }
    double chainSeconds = result.chainStats().stream().mapToDouble(ChainStats::seconds).sum();
    return new Run(result.seconds(), result.gradientEvaluations(),
        chainSeconds / result.gradientEvaluations() * 1e6, minEss, result.divergences(), maxRHat);
  }

  private static void print(int threads, String label, Run r) {
    System.out.printf(Locale.ROOT, "%7d %4s %9.2f %10d %9.1f %9.0f %9.1f %5d %8.3f%n", threads, label, r.seconds(),
        r.gradients(), r.microsPerGradient(), r.minEss(), r.essPerSecond(), r.divergences(), r.maxRHat());
  }

  /** The median of a few rounds' mean time per call, after warm-up rounds, at points near the posterior. */
  private static double bareGradientMicros(LogDensity density) {
    return Timing.bareGradientMicros(density, 200, (z, i) -> z[i % z.length] = (i & 7) * 0.05 - 0.2);
  }
}
