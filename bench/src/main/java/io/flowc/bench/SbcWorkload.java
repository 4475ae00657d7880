package io.flowc.bench;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.CalibrationRun;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.simulate.Simulator;
import io.flowc.runtime.calibration.Calibration;
import io.flowc.runtime.calibration.Sbc;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nuts.NutsSettings;
import io.flowc.runtime.optim.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Workload W10 (DESIGN section 8), simulation-based calibration: eight schools (non-centered),
 * 1000 simulations, each fitted by NUTS (one chain, 1000 tuning + 1000 draws) and by NFVI
 * {@code scale-hh*10-loc} (adam 0.01, 10000 iterations), ranks among L = 99 draws, on 2 threads;
 * what {@code flowc sbc} runs. Prints the wall time of each (compilation apart), the failures,
 * and per element the chi-square p-value, whether the ECDF stays in its band, the mean rank and
 * the shape.
 * Run: {@code java -cp bench/target/benchmarks.jar io.flowc.bench.SbcWorkload examples [sims] [threads]}.
 */
public final class SbcWorkload {
  private SbcWorkload() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "examples");
    int sims = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    Path model = dir.resolve("eight_schools_noncentered.flow");
    DataSet base = StanJson.parse(Files.readString(dir.resolve("eight_schools_noncentered.json")),
        "eight_schools_noncentered.json");
    CheckedModel checked = Simulator.check(new SourceFile(model.toString(), Files.readString(model)), base);
    System.out.printf(Locale.ROOT, "W10: SBC of eight schools (non-centered), %d simulations, L = 99, %d threads; "
        + "%d cores, load %s%n", sims, threads, Runtime.getRuntime().availableProcessors(), load());
    FitMethod nuts = new FitMethod.Nuts(NutsSettings.defaults().withChains(1).withTune(1000).withDraws(1000));
    FitMethod nfvi = new FitMethod.Nfvi("scale-hh*10-loc", new Nfvi.Settings(10_000, Optimizers.byName("adam", 0.01),
        1, 1.0, 0, Nfvi.Settings.NO_CLIPPING, List.of()), 1, 99);
    for (Object[] w : new Object[][] {{"NUTS 1 chain, 1000 + 1000", nuts}, {"NFVI scale-hh*10-loc, adam 0.01, "
        + "10000 iterations", nfvi}}) {
      long start = System.nanoTime();
      CalibrationRun run = CalibrationRun.of(checked, base, (FitMethod) w[1], 0);
      double compile = (System.nanoTime() - start) / 1e9;
      Sbc.Report r = run.run(sims, 99, threads);
      System.out.printf(Locale.ROOT, "%n%s: %.1f s wall (compile %.2f s), %d of %d fitted, failures %s, "
          + "divergences %d, simulations with fewer than L effective draws %d; load %s%n", w[0], r.seconds(), compile,
          r.succeeded(), sims, r.failureCounts(), r.divergences(), r.shortSimulations(), load());
      System.out.printf(Locale.ROOT, "%-15s %9s %10s %10s %16s%n", "element", "p", "ecdf", "mean rank", "shape");
      for (Calibration c : r.elements()) {
        System.out.printf(Locale.ROOT, "%-15s %9.2g %10s %10.3f %16s%n", c.name(), c.pValue(),
            c.ecdf().inside() ? "inside" : "outside", c.meanRank(), c.shape().word());
      }
    }
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
