package io.flowc.bench;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nfvi.StepSplit;
import io.flowc.runtime.optim.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Steps split across threads (docs/performance.md, "Threads in one fit"): microseconds per step
 * of W7 (`nsf(hidden=64)*3`, nmc 256) and W1 (`planar*8`, nmc 100) unsplit and split
 * on each thread count, in one warm JVM, the counts taking turns in each round so that a change of
 * the machine's load touches them alike; medians over the rounds, with the load average.
 * Run: {@code java -cp bench/target/benchmarks.jar io.flowc.bench.StepThreadsWorkload examples [rounds] [threads] [steps]}
 * (defaults 5, "1,2", 300).
 */
public final class StepThreadsWorkload {
  private StepThreadsWorkload() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "examples");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int[] threads = Arrays.stream((args.length > 2 ? args[2] : "1,2").split(",")).mapToInt(Integer::parseInt).toArray();
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 300;
    run(dir, "W7", "nsf(hidden=64)*3", 256, rounds, threads, steps);
    run(dir, "W1", "planar*8", 100, rounds, threads, steps * 20);
  }

  private static void run(Path dir, String id, String formulaText, int nmc, int rounds, int[] threads, int steps)
      throws Exception {
    Path file = dir.resolve("pot1.flow");
    CheckedModel model = FrontEnd.check(new SourceFile(file.toString(), Files.readString(file)));
    FlowFormula formula = FlowFormulaParsing.parse(formulaText);
    Compilation.CountedFlow flow = Compilation.loadCountedFlow(model, formula);
    Nfvi unsplit = new Nfvi(flow.kernel(), Compilation.load(model),
        FlowLayout.ofFlows(formula.flows(), model.dimension()));
    StepSplit split = StepSplit.rule(flow.cost(), nmc);
    Nfvi.Settings settings = new Nfvi.Settings(steps, Optimizers.byName("adam", 0.001), nmc, 1, 1,
        Nfvi.Settings.NO_CLIPPING, List.of());
    String chunkDraws = System.getProperty("chunkDraws");
    Nfvi[] fits = new Nfvi[threads.length + 1];
    fits[0] = unsplit;
    for (int k = 0; k < threads.length; k++) {
      // -DchunkDraws=N: chunks of N draws instead of the rule's, to measure other sizes
      fits[k + 1] = chunkDraws == null ? unsplit.withThreads(flow.cost(), threads[k])
          : unsplit.withSplitSteps(n -> new StepSplit(n, Math.min(n, Integer.parseInt(chunkDraws))), threads[k]);
    }
    for (Nfvi fit : fits) {
      fit.fit(settings); // warm-up: HotSpot compiles the kernel's methods
    }
    double[][] micros = new double[fits.length][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < fits.length; k++) {
        long start = System.nanoTime();
        fits[k].fit(settings);
        micros[k][r] = (System.nanoTime() - start) / 1e3 / steps;
      }
    }
    System.out.printf(Locale.ROOT, "%s %s nmc %d: %s, %s; load %s%n", id, formulaText, nmc,
        flow.cost(), split == null ? "unsplit" : split.chunks() + " chunks of " + split.chunkDraws(),
        Files.readString(Path.of("/proc/loadavg")).trim());
    for (int k = 0; k < fits.length; k++) {
      double median = median(micros[k]);
      System.out.printf(Locale.ROOT, "  %-14s %10.1f us per step (median of %d), %.2fx the unsplit%n",
          k == 0 ? "unsplit" : "--threads " + threads[k - 1], median, rounds, median(micros[0]) / median);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
