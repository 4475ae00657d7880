package io.flowc.bench;

import io.flowc.bench.baseline.HandWrittenNsfPot1;
import io.flowc.bench.baseline.HandWrittenPlanarPot1;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.optim.Optimizers;
import io.flowc.runtime.simd.Simd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The workload runner (DESIGN section 8): for W1-W4 the median of five runs (seeds 0-4), for W7
 * of three, of compile time, fit time, microseconds per iteration, final loss and KL, with the
 * ratio to the hand-written W1 and W7 kernels run through the same loop and to a peer's median
 * from {@code reference/peers.md}; and W6, the compile time of pot1..pot4 with planar*8.
 * Run: {@code java -cp bench/target/benchmarks.jar io.flowc.bench.Workloads examples [runs [ids]]}, ids
 * a comma-separated choice of workloads (e.g. {@code W7}; W6 runs only when none is given). With
 * {@code --add-modules jdk.incubator.vector} the neural flows' products are vectorized, and W7's
 * hand-written baseline is the vectorized one ({@code HandWrittenNsfPot1} with {@code vector}).
 */
public final class Workloads {
  /** PyMC3 3.9's median microseconds per iteration on this kind of machine (reference/peers.md). */
  private static final double PYMC3_W1 = 3123;
  private static final double PYMC3_W2 = 2061;
  private static final double PYMC3_W3 = 297;
  /** PyTorch's (no PyMC3 figure for W4), the middle of its range 17000-24500. */
  private static final double PYTORCH_W4 = 20750;
  /** PyTorch's W7 (nsf*3, hidden 64 x 2, nmc 256): 18.8 ms per step (reference/peers.md). */
  private static final double PYTORCH_W7 = 18_800;

  private Workloads() {}

  record Workload(String id, String model, String formula, String optimizer, double lr, int nmc, double jitter,
      int iterations, double logZ, double peerMicros, String peer) {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "examples");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<Workload> workloads = List.of(
        new Workload("W1", "pot1", "planar*8", "adam", 0.01, 100, 1, 25_000, 1.8775, PYMC3_W1, "PyMC3"),
        new Workload("W2", "pot4", "planar*10", "adam", 0.01, 10, 0.1, 25_000, 3.62666, PYMC3_W2, "PyMC3"),
        new Workload("W3", "pot1", "planar*2", "adagrad_window", 0.01, 1, 1, 30_000, 1.8775, PYMC3_W3, "PyMC3"),
        new Workload("W4", "normal100", "scale-hh*100-loc", "adam", 0.01, 1, 0.1, 10_000, 50 * Math.log(2 * Math.PI),
            PYTORCH_W4, "PyTorch"),
        // W7: zuko's reverse-KL tutorial shape; runs 3 seeds whatever `runs` says (DESIGN section 8)
        new Workload("W7", "pot1", "nsf(hidden=64)*3", "adam", 0.001, 256, 1, 2048, 1.8775, PYTORCH_W7, "PyTorch"),
        new Workload("W7", "pot1", "realnvp*6", "adam", 0.001, 256, 1, 2048, 1.8775, Double.NaN, "-"),
        new Workload("W7", "pot1", "iaf*4", "adam", 0.001, 256, 1, 2048, 1.8775, Double.NaN, "-"));
    List<String> chosen = args.length > 2 ? List.of(args[2].split(",")) : null;
    System.out.printf(Locale.ROOT, "%-4s %-10s %-18s %10s %9s %10s %11s %8s %12s %10s%n", "id", "model", "flow",
        "compile s", "fit s", "us/iter", "final loss", "KL", "vs baseline", "vs peer");
    for (Workload w : workloads) {
      if (chosen == null || chosen.contains(w.id())) {
        run(dir, w, w.id().equals("W7") ? 3 : runs);
      }
    }
    if (chosen == null || chosen.contains("W6")) {
      w6(dir, runs);
    }
  }

  private static CheckedModel model(Path dir, String name) throws Exception {
    Path file = dir.resolve(name + ".flow");
    return FrontEnd.check(new SourceFile(file.toString(), Files.readString(file)));
  }

  private static void run(Path dir, Workload w, int runs) throws Exception {
    double[] compile = new double[runs];
    double[] fit = new double[runs];
    double[] loss = new double[runs];
    double[] baseline = new double[runs];
    FlowFormula formula = FlowFormulaParsing.parse(w.formula());
    for (int r = 0; r < runs; r++) {
      long start = System.nanoTime();
      CheckedModel model = model(dir, w.model());
      LogDensity density = Compilation.load(model);
      FlowKernel kernel = Compilation.loadFlow(model, formula);
      compile[r] = (System.nanoTime() - start) / 1e9;
      FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
      Nfvi nfvi = new Nfvi(kernel, density, layout);
      Nfvi.Settings settings = new Nfvi.Settings(w.iterations(), Optimizers.byName(w.optimizer(), w.lr()), w.nmc(),
          w.jitter(), r, Nfvi.Settings.NO_CLIPPING, List.of());
      start = System.nanoTime();
      Fit result = nfvi.fit(settings);
      fit[r] = (System.nanoTime() - start) / 1e9;
      loss[r] = nfvi.evaluate(result.parameters(), 20_000, r).finalLoss();
      FlowKernel handWritten = handWritten(w, layout);
      if (handWritten != null) {
        Nfvi hand = new Nfvi(handWritten, density, layout);
        start = System.nanoTime();
        hand.fit(settings);
        baseline[r] = (System.nanoTime() - start) / 1e9;
      }
    }
    double fitMedian = median(fit);
    double micros = fitMedian / w.iterations() * 1e6;
    String vsBaseline = baseline[0] > 0 ? String.format(Locale.ROOT, "%.2fx", fitMedian / median(baseline)) : "-";
    String vsPeer = Double.isNaN(w.peerMicros()) ? "-"
        : String.format(Locale.ROOT, "%.0fx faster than %s", w.peerMicros() / micros, w.peer());
    System.out.printf(Locale.ROOT, "%-4s %-10s %-18s %10.3f %9.3f %10.1f %11.4f %8.4f %12s %10s%n", w.id(), w.model(),
        w.formula(), median(compile), fitMedian, micros, median(loss), median(loss) + w.logZ(), vsBaseline, vsPeer);
  }

  /**
   * The hand-written kernel of a workload that has one, taking theta in the compiled layout: W1's
   * planar flows, and W7's spline couplings (its own layout, mapped by element name).
   */
  private static FlowKernel handWritten(Workload w, FlowLayout layout) {
    if (w.id().equals("W1")) {
      return new HandWrittenPlanarPot1(8);
    }
    if (w.id().equals("W7") && w.formula().startsWith("nsf(")) {
      HandWrittenNsfPot1 kernel = Simd.enabled() ? new HandWrittenNsfPot1(3, 64, 2, 8, 5.0, 128, true)
          : new HandWrittenNsfPot1(3, 64, 2, 8, 5.0, 64);
      return HandWrittenNsfPot1.inLayout(kernel, layout.elementNames());
    }
    return null;
  }

  /** W6: source text to runnable code for pot1..pot4 with planar*8 (model and flow kernel). */
  private static void w6(Path dir, int runs) throws Exception {
    for (String name : List.of("pot1", "pot2", "pot3", "pot4")) {
      String text = Files.readString(dir.resolve(name + ".flow"));
      double[] times = new double[runs];
      for (int r = 0; r < runs; r++) {
        long start = System.nanoTime();
        CheckedModel model = FrontEnd.check(new SourceFile(name, text));
        Compilation.load(model);
        Compilation.loadFlow(model, FlowFormulaParsing.parse("planar*8"));
        times[r] = (System.nanoTime() - start) / 1e9;
      }
      System.out.printf(Locale.ROOT, "W6   %-10s %-18s %10.4f (median of %d; the first, cold: %.3f s)%n", name, "planar*8",
          median(times), runs, times[0]);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
