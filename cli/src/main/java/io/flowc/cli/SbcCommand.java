package io.flowc.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.driver.CalibrationRun;
import io.flowc.compiler.simulate.Simulator;
import io.flowc.plot.RankFigure;
import io.flowc.runtime.calibration.Sbc;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.FitMethod;
import io.flowc.runtime.optim.Optimizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowc sbc}: simulation-based calibration of NUTS or NFVI on a model. */
@Command(
    name = "sbc",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Simulation-based calibration (Talts et al. 2018): draw parameters from their priors and data from the "
            + "likelihood (as flowc simulate does), fit each simulated data set, and rank each true parameter among "
            + "L posterior draws. Over many simulations the ranks are uniform exactly when the fits are calibrated.",
        "%nPrints per parameter element the chi-square p-value of the rank histogram, the largest ECDF difference "
            + "and whether it stays inside its simultaneous 95 %% band, the mean normalized rank (0.5 when unbiased) "
            + "and the histogram's shape: uniform, over-confident (U), under-confident (hump), biased-low or "
            + "biased-high (slope). Simulations whose fit fails are counted and left out.%n"
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  flowc sbc examples/eight_schools_noncentered.flow --data examples/eight_schools_noncentered.json "
            + "--sims 1000 --method nuts --chains 1 --plot ranks.png",
        "  flowc sbc examples/collinear.flow --data examples/collinear.json --sims 200 --method nfvi "
            + "--flow scale-loc --optimizer adam --lr 0.05 --iters 3000 --json"
    })
public final class SbcCommand implements Callable<Integer> {
  /** L when not given: 100 rank values, which 2, 4, 5, 10, 20, 25 and 50 bins divide evenly. */
  static final int DEFAULT_DRAWS = 99;

  /** Seconds between two progress lines. */
  private static final double PROGRESS_SECONDS = 2;

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.flow", description = "The model (its source: the simulations run "
      + "its ~ statements forward).")
  private String modelFile;

  @Option(names = "--sims", required = true, paramLabel = "S", description = "Simulations (each one fit).")
  private int sims;

  @Option(names = "--method", required = true, paramLabel = "METHOD", description = "nuts or nfvi.")
  private String methodName;

  @Option(names = "--flow", paramLabel = "FORMULA", description = "The flow fitted by --method nfvi, e.g. scale-loc "
      + "or scale-hh*10-loc.")
  private String flow;

  @Option(names = "--draws", paramLabel = "L", description = "Posterior draws each true value is ranked among, so "
      + "ranks run 0 .. L (default " + DEFAULT_DRAWS + "). NFVI draws L from the flow; NUTS thins its chains to "
      + "about L nearly independent draws.")
  private int draws = DEFAULT_DRAWS;

  @Option(names = "--chain-draws", paramLabel = "N", description = "With --method nuts: draws kept per chain "
      + "before thinning (default 1000).")
  private int chainDraws = 1000;

  @Mixin
  private NfviOptions nfvi;

  @Mixin
  private NutsOptions nuts;

  @Option(names = "--threads", paramLabel = "T", description = "Simulations fitted in parallel on T threads "
      + "(default: cores); the ranks do not depend on it.")
  private Integer threads;

  @Option(names = "--seed", paramLabel = "S", description = "Random seed of the simulations, fits and tie-breaks "
      + "(default 0).")
  private long seed;

  @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the rank histograms, one panel per element "
      + "(the first " + RankFigure.MAX_PANELS + "), over their 99 %% binomial bands.")
  private String plot;

  @Mixin
  private ImageSize size;

  @Option(names = "--json", description = "Print one JSON object (the last line of stdout).")
  private boolean json;

  @Mixin
  private DataOption data = new DataOption();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Override
  public Integer call() throws CompileException, InterruptedException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    boolean useNuts = checkOptions();
    FlowFormula formula = useNuts ? null : FlowFormulaParsing.parse(flow);
    Optimizer optimizer = useNuts ? null : nfvi.optimizer();
    DataSet base = data.file == null ? new DataSet("(no data)", Map.of()) : ModelFiles.data(data.file);
    CheckedModel model = Simulator.check(ModelFiles.read(modelFile), data.file == null ? null : base);
    FitMethod method = useNuts ? new FitMethod.Nuts(nuts.settings(chainDraws, seed, 1, null))
        : new FitMethod.Nfvi(formula.normalized(), nfvi.settings(optimizer, seed, List.of()), nfvi.restarts, draws);
    CalibrationRun calibration;
    try {
      calibration = CalibrationRun.of(model, base, method, seed);
    } catch (IOException e) {
      throw new UserException("cannot write the model's compiled classes to a temporary file: " + e.getMessage());
    }
    int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    stderr.printf(Locale.ROOT, "sbc %s: %d simulations, %s, ranks among L = %d draws, %d thread%s%n", model.name(),
        sims, describe(useNuts, formula, optimizer), draws, threadCount, threadCount == 1 ? "" : "s");
    stderr.flush();
    Sbc.Report report = calibration.run(sims, draws, threadCount, progress(stderr));

    String failures = CalibrationReport.failures(report);
    if (failures != null) {
      stderr.println("warning: " + failures);
    }
    if (report.shortSimulations() > 0) {
      stderr.printf(Locale.ROOT, "note: in %d simulations a chain had fewer than L = %d effective draws for some "
          + "element; those ranks are among fewer draws, carried to 0 .. L%n", report.shortSimulations(), draws);
    }
    if (report.divergences() > 0) {
      stderr.printf(Locale.ROOT, "warning: %d divergences after tuning over all simulations: the draws may be "
          + "biased%n", report.divergences());
    }
    if (report.succeeded() == 0) {
      stderr.println("error: numerical failure: every simulation failed");
      if (json) {
        stdout.println(Json.line(CalibrationReport.json(head(model, useNuts, formula), report)));
      }
      return ExitCodes.NUMERICAL;
    }
    stdout.printf(Locale.ROOT, "%d of %d simulations fitted in %.1f s; %d rank bins%n", report.succeeded(), sims,
        report.seconds(), report.elements().get(0).histogram().binCount());
    stdout.print(CalibrationReport.table(report.elements()));
    stdout.flush();
    boolean pictured = plot == null || drawPlot(model.name(), useNuts, formula, report, stderr);
    if (json) {
      stdout.println(Json.line(CalibrationReport.json(head(model, useNuts, formula), report)));
    }
    return pictured ? ExitCodes.OK : ExitCodes.USER;
  }

  /** Simulations done, per second and failed, on stderr every {@value #PROGRESS_SECONDS} seconds. */
  private Sbc.Progress progress(PrintWriter stderr) {
    long start = System.nanoTime();
    long[] lastShown = {start};
    return (done, failed) -> {
      synchronized (lastShown) {
        long now = System.nanoTime();
        if ((now - lastShown[0]) / 1e9 >= PROGRESS_SECONDS && done < sims) {
          lastShown[0] = now;
          stderr.printf(Locale.ROOT, "sbc: %,d of %,d simulations, %.1f/s, %,d failed%n", done, sims,
              done / ((now - start) / 1e9), failed);
          stderr.flush();
        }
      }
    };
  }

  private String describe(boolean useNuts, FlowFormula formula, Optimizer optimizer) {
    if (useNuts) {
      return String.format(Locale.ROOT, "NUTS %d chain%s x (%d tune + %d draws)", nuts.chains,
          nuts.chains == 1 ? "" : "s", nuts.tune, chainDraws);
    }
    return String.format(Locale.ROOT, "NFVI %s, %s lr %s, %d iterations", formula.normalized(), optimizer.name(),
        optimizer.learningRate(), nfvi.iterations);
  }

  private ObjectNode head(CheckedModel model, boolean useNuts, FlowFormula formula) {
    ObjectNode r = Json.object();
    r.put("model", model.name());
    r.put("method", useNuts ? "nuts" : "nfvi");
    if (useNuts) {
      r.put("chains", nuts.chains);
      r.put("tune", nuts.tune);
      r.put("chain_draws", chainDraws);
    } else {
      r.put("flow", formula.normalized());
      r.put("iterations", nfvi.iterations);
    }
    return r;
  }

  private boolean drawPlot(String name, boolean useNuts, FlowFormula formula, Sbc.Report report,
      PrintWriter stderr) {
    try {
      String title = "SBC of " + name + ": " + (useNuts ? "NUTS" : "NFVI " + formula.normalized());
      String note = String.format(Locale.ROOT, "%d simulations, ranks among %d draws; grey: 99 %% of uniform ranks",
          report.succeeded(), draws);
      PngOutput.write("--plot", size.render(RankFigure.of(title, note, report.elements())), plot);
      return true;
    } catch (UserException | IllegalArgumentException e) {
      stderr.println("error: --plot: " + e.getMessage().replaceFirst("^--plot: ", ""));
      return false;
    }
  }

  /** Checks the options before any work; returns whether the method is NUTS. */
  private boolean checkOptions() {
    boolean useNuts = switch (methodName) {
      case "nuts" -> true;
      case "nfvi" -> false;
      default -> throw new UserException("--method must be nuts or nfvi, not '" + methodName + "'");
    };
    if (sims < 1 || draws < 1 || chainDraws < 1 || (threads != null && threads < 1)) {
      throw new UserException("--sims, --draws, --chain-draws and --threads must be >= 1");
    }
    if (ModelFiles.isArtifact(modelFile)) {
      throw new UserException(modelFile + ": sbc needs the model's source (.flow): it simulates by running the "
          + "model's ~ statements forward");
    }
    refuseOptionsOf(useNuts ? "nfvi" : "nuts", useNuts ? "nuts" : "nfvi");
    if (useNuts) {
      nuts.check();
      if (flow != null) {
        throw new UserException("--flow is for --method nfvi; NUTS fits no flow");
      }
    } else {
      nfvi.check();
      if (flow == null) {
        throw new UserException("--method nfvi needs --flow FORMULA, e.g. --flow scale-hh*10-loc");
      }
      if (matched("--chain-draws")) {
        throw new UserException("--chain-draws is for --method nuts");
      }
    }
    if (plot != null) {
      size.check();
      PngOutput.check("--plot", plot);
    }
    return useNuts;
  }

  /** An option of the other method's mixin, given: refused, so that it is not silently ignored. */
  private void refuseOptionsOf(String mixin, String method) {
    for (OptionSpec option : spec.mixins().get(mixin).options()) {
      if (matched(option.longestName())) {
        throw new UserException(option.longestName() + " is an option of --method " + mixin + ", not of --method "
            + method);
      }
    }
  }

  private boolean matched(String option) {
    ParseResult parsed = spec.commandLine().getParseResult();
    return parsed != null && parsed.hasMatchedOption(option);
  }
}
