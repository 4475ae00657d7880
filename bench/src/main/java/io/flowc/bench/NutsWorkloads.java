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
import java.util.List;
import java.util.Locale;

/**
 * W5 (DESIGN section 8) and the same run on pot1: NUTS with 2 chains on 2 threads, 1000 tuning
 * iterations and 3000 draws each, target_accept 0.9, seeds 0 .. runs-1, each in a fresh sampler
 * (the compiled model is reused, so the JIT is warm after the first run). Per run: wall time of
 * sampling, gradient evaluations (tuning included), microseconds per gradient inside NUTS (the
 * chains' own times over their gradients: the sampler's overhead included, the parallelism not),
 * bulk ESS per coordinate, per 1000 gradients and per second of wall time, and divergences.
 * Also the bare gradient's cost, for comparison with Stan's {@code log_prob_grad}.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.flowc.bench.NutsWorkloads examples [runs]}.
 */
public final class NutsWorkloads {
  private NutsWorkloads() {}

  /** One run's figures. */
  record Run(long seed, double seconds, long gradients, double microsPerGradient, double[] essBulk, int divergences,
      double[] rHat) {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "examples");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    System.out.println("NUTS, 2 chains on 2 threads x (1000 tune + 3000 draws), target_accept 0.9");
    for (String name : List.of("pot4", "pot1")) {
      workload(dir, name, runs);
    }
  }

  private static void workload(Path dir, String name, int runs) throws Exception {
    long start = System.nanoTime();
    Path file = dir.resolve(name + ".flow");
    LogDensity density = Compilation.load(FrontEnd.check(new SourceFile(file.toString(), Files.readString(file))));
    double compileSeconds = (System.nanoTime() - start) / 1e9;
    NutsSettings settings = NutsSettings.defaults().withChains(2).withThreads(2).withTune(1000).withDraws(3000)
        .withTargetAccept(0.9);
    System.out.printf(Locale.ROOT, "%n%s (%s; compile %.3f s)%n", name.equals("pot4") ? "W5 pot4" : "pot1", file,
        compileSeconds);
    System.out.printf(Locale.ROOT, "%4s %9s %10s %9s %18s %22s %22s %5s %14s%n", "seed", "sample s", "gradients",
        "us/grad", "bulk ESS z0, z1", "ESS/1000 grad z0, z1", "ESS/s z0, z1", "div", "R-hat z0, z1");
    Run[] all = new Run[runs];
    for (int r = 0; r < runs; r++) {
      all[r] = run(density, settings.withSeed(r));
      print(Long.toString(all[r].seed()), all[r]);
    }
    Run median = new Run(-1, Timing.median(all, x -> x.seconds()), (long) Timing.median(all, x -> x.gradients()),
        Timing.median(all, Run::microsPerGradient), new double[] {Timing.median(all, x -> x.essBulk()[0]),
            Timing.median(all, x -> x.essBulk()[1])}, (int) Timing.median(all, x -> x.divergences()),
        new double[] {Timing.median(all, x -> x.rHat()[0]), Timing.median(all, x -> x.rHat()[1])});
    print("med", median);
    System.out.printf(Locale.ROOT, "bare gradient: %.3f us%n", bareGradientMicros(density));
  }

  private static Run run(LogDensity density, NutsSettings settings) {
    NutsResult result = Nuts.sample(density, settings);
    long gradients = result.gradientEvaluations();
    double chainSeconds = result.chainStats().stream().mapToDouble(ChainStats::seconds).sum();
    double[] ess = new double[result.dimension()];
    double[] rHat = new double[result.dimension()];
    for (int k = 0; k < ess.length; k++) {
      ess[k] = Convergence.essBulk(result.element(k));
      rHat[k] = Convergence.rHat(result.element(k));
    }
    return new Run(settings.seed(), result.seconds(), gradients, chainSeconds / gradients * 1e6, ess,
        result.divergences(), rHat);
  }

  private static void print(String label, Run r) {
    System.out.printf(Locale.ROOT, "%4s %9.3f %10d %9.3f %18s %22s %22s %5d %14s%n", label, r.seconds(), r.gradients(),
        r.microsPerGradient(), pair(r.essBulk()[0], r.essBulk()[1], "%.0f"),
        pair(r.essBulk()[0] / (r.gradients() / 1000.0), r.essBulk()[1] / (r.gradients() / 1000.0), "%.2f"),
        pair(r.essBulk()[0] / r.seconds(), r.essBulk()[1] / r.seconds(), "%.0f"), r.divergences(),
        pair(r.rHat()[0], r.rHat()[1], "%.2f"));
  }

  private static String pair(double a, double b, String format) {
    return String.format(Locale.ROOT, format + ", " + format, a, b);
  }

  /** The median of a few calls' mean time, after a warm-up. */
  private static double bareGradientMicros(LogDensity density) {
    return Timing.bareGradientMicros(density, 1_000_000, (z, i) -> {
      z[0] = (i & 1023) * 0.01 - 5;
      z[1] = (i & 127) * 0.02 - 1;
    });
  }
}
