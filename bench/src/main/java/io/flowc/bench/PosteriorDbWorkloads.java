package io.flowc.bench;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.StanJson;
import io.flowc.runtime.diagnostics.Convergence;
import io.flowc.runtime.diagnostics.ParetoSmoothing;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nuts.ChainStats;
import io.flowc.runtime.nuts.Nuts;
import io.flowc.runtime.nuts.NutsResult;
import io.flowc.runtime.nuts.NutsSettings;
import io.flowc.runtime.optim.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The posteriordb models of examples/ (with their data): NUTS with 4 chains on 2 threads x (1000
 * tune + 1000 draws), and NFVI with the settings their accuracy tests use. Per NUTS run: sampling
 * wall time, gradient evaluations, microseconds per gradient inside NUTS, the smallest bulk ESS
 * over the parameters, that per second, divergences and the largest R-hat. Per NFVI run: fit
 * time, final loss and Pareto k. Medians over seeds 0 .. runs-1.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.flowc.bench.PosteriorDbWorkloads examples [runs]}.
 */
public final class PosteriorDbWorkloads {
  private PosteriorDbWorkloads() {}

  /** A model, its NUTS target acceptance, and NFVI settings (null formula: none that converges). */
  record Workload(String name, double targetAccept, String formula, double lr, int nmc, int iterations) {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "examples");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    // --free-sizes: compile as artifacts are compiled, row counts read from the data at run time
    boolean freeSizes = args.length > 2 && args[2].equals("--free-sizes");
    List<Workload> workloads = List.of(
        new Workload("eight_schools_noncentered", 0.9, "scale-hh*10-loc", 0.01, 10, 30_000),
        new Workload("kidiq_interaction", 0.8, "scale-hh*5-loc", 0.02, 20, 100_000),
        new Workload("kidiq_standardized", 0.8, "scale-hh*5-loc", 0.003, 10, 20_000),
        new Workload("sblrc_blr", 0.8, "scale-hh*5-loc", 0.0002, 10, 120_000),
        new Workload("earnings", 0.8, null, 0, 0, 0),
        new Workload("earnings_standardized", 0.8, "scale-hh*3-loc", 0.001, 20, 30_000));
    System.out.printf(Locale.ROOT, "%-26s %9s %10s %8s %9s %9s %5s %8s | %8s %11s %8s%n", "model", "NUTS s", "gradients",
        "us/grad", "min ESS", "ESS/s", "div", "max R", "NFVI s", "final loss", "pareto k");
    for (Workload w : workloads) {
      run(dir, w, runs, freeSizes);
    }
  }

  private static void run(Path dir, Workload w, int runs, boolean freeSizes) throws Exception {
    Path file = dir.resolve(w.name() + ".flow");
    CheckedModel checked = FrontEnd.check(new SourceFile(file.toString(), Files.readString(file)),
        StanJson.read(dir.resolve(w.name() + ".json")));
    CheckedModel model = freeSizes ? Compilation.freeSizes(checked) : checked;
    LogDensity density = Compilation.load(model);
    double[][] nuts = new double[runs][];
    double[][] nfvi = new double[runs][];
    for (int r = 0; r < runs; r++) {
      NutsResult result = Nuts.sample(density, NutsSettings.defaults().withChains(4).withThreads(2).withTune(1000)
          .withDraws(1000).withTargetAccept(w.targetAccept()).withSeed(r));
      double minEss = Double.POSITIVE_INFINITY;
      double maxRHat = 0;
      for (int k = 0; k < result.dimension(); k++) {
        minEss = Math.min(minEss, Convergence.essBulk(result.element(k)));
        maxRHat = Math.max(maxRHat, Convergence.rHat(result.element(k)));
      }
      double chainSeconds = result.chainStats().stream().mapToDouble(ChainStats::seconds).sum();
      nuts[r] = new double[] {result.seconds(), result.gradientEvaluations(),
          chainSeconds / result.gradientEvaluations() * 1e6, minEss, minEss / result.seconds(), result.divergences(),
          maxRHat};
      if (w.formula() != null) {
        FlowFormula formula = FlowFormulaParsing.parse(w.formula());
        Nfvi fitter = new Nfvi(Compilation.loadFlow(model, formula), density,
            FlowLayout.ofFlows(formula.flows(), model.dimension()));
        long start = System.nanoTime();
        Fit fit = fitter.fit(new Nfvi.Settings(w.iterations(), Optimizers.byName("adam", w.lr()), w.nmc(), 1, r,
            Nfvi.Settings.NO_CLIPPING, List.of()));
        double seconds = (System.nanoTime() - start) / 1e9;
        Nfvi.Evaluation e = fitter.evaluate(fit.parameters(), 20_000, r);
        nfvi[r] = new double[] {seconds, e.finalLoss(), ParetoSmoothing.paretoK(e.logRatios())};
      }
    }
    double[] n = medians(nuts);
    String nfviColumns = w.formula() == null ? String.format(Locale.ROOT, "%8s %11s %8s", "-", "-", "-")
        : String.format(Locale.ROOT, "%8.2f %11.3f %8.2f", medians(nfvi)[0], medians(nfvi)[1], medians(nfvi)[2]);
    System.out.printf(Locale.ROOT, "%-26s %9.2f %10.0f %8.2f %9.0f %9.0f %5.0f %8.2f | %s%n", w.name(), n[0], n[1], n[2],
        n[3], n[4], n[5], n[6], nfviColumns);
  }

  private static double[] medians(double[][] rows) {
    double[] out = new double[rows[0].length];
    for (int c = 0; c < out.length; c++) {
      double[] column = new double[rows.length];
      for (int r = 0; r < rows.length; r++) {
        column[r] = rows[r][c];
      }
      java.util.Arrays.sort(column);
      out[c] = column[column.length / 2];
    }
    return out;
  }
}
