package io.flowc.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.interp.DomainDiagnosis;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.plot.Figure;
import io.flowc.plot.TrackerFigure;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.ArtifactException;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.Reported;
import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.diagnostics.ParetoSmoothing;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.laplace.LaplaceApproximation;
import io.flowc.runtime.laplace.LaplaceException;
import io.flowc.runtime.laplace.LaplaceStart;
import io.flowc.runtime.nfvi.Draws;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.FitCallback;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nfvi.PyFormat;
import io.flowc.runtime.nfvi.Restart;
import io.flowc.runtime.nfvi.RestartSelection;
import io.flowc.runtime.nfvi.Tracker;
import io.flowc.runtime.optim.Optimizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowc fit}: normalizing-flow variational inference, PyMC3's NFVI, on a compiled model. */
@Command(
    name = "fit",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Fit a normalizing flow to a model (PyMC3's NFVI): minimise the mean of log q(z) - log p(z) over "
            + "base draws with a first-order optimizer, then report the loss on fresh draws.",
        "%nDefaults are PyMC3's: 10000 iterations, one draw per step, adagrad_window with learning rate "
            + "0.001, jitter 1.%n"
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  flowc fit examples/pot1.flow --flow planar*8 --optimizer adam --lr 0.01 --nmc 100 --iters 25000",
        "  flowc fit examples/normal100.flow --flow scale-hh*100-loc --optimizer adam --lr 0.01 --jitter 0.1 --json",
        "  flowc fit pot1.jar --flow planar*8 --restarts 4 --out draws.csv",
        "  flowc fit examples/pot1.flow --flow planar*2 --optimizer adagrad_window --lr 0.01 --iters 30000 "
            + "--track 100 --plot fit.png --plot-track track.png",
        "  flowc fit examples/logistic.flow --data logistic.json --flow scale-hh*2-loc --optimizer adam --lr 0.01 "
            + "--iters 12000 --average-last 4000 --minibatch 1000 --eval-draws 100"
    })
public final class FitCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.flow|ARTIFACT.jar", description = "The model, or its compiled artifact.")
  private String modelFile;

  @Option(names = "--flow", required = true, paramLabel = "FORMULA", description = "The flow, e.g. planar*8, scale-hh*10-loc or nsf(bins=4)*2.")
  private String flow;

  @Mixin
  private NfviOptions options = new NfviOptions();

  @Option(names = "--seed", paramLabel = "S", description = "Random seed (default 0).")
  private long seed;

  @Option(names = "--init", paramLabel = "START", description = "Where the flows start: usual (default: jitter "
      + "draws, neural flows at the identity) or laplace (q starts at the Gaussian at the mode of log p with the "
      + "inverse Hessian there as covariance; the formula ends in loc, scale-loc or scale-hh*k-loc, k >= d - 1; "
      + "--jitter, 0 unless given, applies on top).")
  private String init = "usual";

  @Option(names = "--start", paramLabel = "NAME=X", description = "Start this flow parameter at X (a name as "
      + "--json lists them, e.g. scale_0.rho[0]=12), over --init's start and its jitter; repeatable.")
  private List<String> starts = new ArrayList<>();

  /** The --start values by their index in theta. */
  private Map<Integer, Double> startValues;

  /** The Laplace start of every restart (null: the usual start). */
  private Laplace laplace;

  private record Laplace(LaplaceStart start, LaplaceApproximation approximation) {}

  @Option(names = "--threads", paramLabel = "T", description = "Restarts run in parallel on up to T threads (default: "
      + "cores); a step with much work splits its draws into fixed chunks that the threads left to its fit share "
      + "(the same bits for every T).")
  private Integer threads;

  @Option(names = "--draws", paramLabel = "D", description = "Draws written with --out and drawn with --plot "
      + "(default 500).")
  private int draws = 500;

  @Option(names = "--eval-draws", paramLabel = "E", description = "Fresh draws for the final loss (default 100000).")
  private int evalDraws = 100_000;

  @Option(names = "--out", paramLabel = "FILE", description = "Write draws from the fitted flow as CSV.")
  private String out;

  @Option(names = "--format", paramLabel = "FORMAT", description = "What --out writes: flowc (default) or stan-csv "
      + "(CmdStan's variational layout: lp__, log_p__, log_g__ = log q, the first row the draws' mean).")
  private String formatName = "flowc";

  private DrawsFormat format;

  @Option(names = "--track", paramLabel = "K", description = "Record parameters and gradients every K iterations.")
  private Integer track;

  @Option(names = "--track-out", paramLabel = "FILE", description = "Where --track writes its CSV (default track.csv).")
  private String trackOut = "track.csv";

  @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the flow's draws (over the target density "
      + "of a 2-d model, else pairs of the first elements) and the loss history.")
  private String plot;

  @Option(names = "--plot-track", paramLabel = "FILE.png", description = "With --track: draw each flow parameter's "
      + "trace and gradient.")
  private String plotTrack;

  @Option(names = "--plot-track-max", paramLabel = "N", description = "Parameters drawn by --plot-track, the first "
      + "ones (default " + TrackerFigure.DEFAULT_MAX_PARAMETERS + ").")
  private int plotTrackMax = TrackerFigure.DEFAULT_MAX_PARAMETERS;

  @Mixin
  private ImageSize size;

  @Mixin
  private WindowOptions window;

  @Option(names = "--minibatch", paramLabel = "B", description = "Each step sees B rows of the data drawn at random, "
      + "terms over rows scaled by N/B (PyMC3's pm.Minibatch with total_size); the reported losses are on all rows.")
  private Integer minibatch;

  @Option(names = "--json", description = "Print one JSON object (the last line of stdout).")
  private boolean json;

  @Mixin
  private DataOption data = new DataOption();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  /** The terminal's progress bar, for a single fit. */
  private FitCallback progress;

  @Override
  public Integer call() throws CompileException, IOException, InterruptedException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    checkOptions();
    FlowFormula formula = FlowFormulaParsing.parse(flow);
    Optimizer opt = options.optimizer();
    long compileStart = System.nanoTime();
    CompiledFlow compiled = CompiledFlow.of(modelFile, data.file, formula, options.nmc, minibatch, stderr);
    double compileSeconds = (System.nanoTime() - compileStart) / 1e9;

    Nfvi nfvi = compiled.nfvi(stepThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors(),
        options.restarts));
    startValues = startValues(starts, compiled.layout().elementNames());
    long fitStart = System.nanoTime();
    laplace = init.equals("laplace") ? laplace(compiled, formula, stderr) : null;
    progress = options.restarts == 1 ? ProgressBar.forTerminal(stderr, options.iterations) : null;
    RestartSelection selection = runRestarts(nfvi, opt, compiled, stderr);
    double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
    Restart best = selection.best();
    ParetoK paretoK = paretoK(best.evaluation());
    Fit fit = best.fit();

    Nfvi.Sample sample = out != null || plot != null ? nfvi.sample(fit.parameters(), draws, best.seed(), Draws.SAMPLE)
        : null;
    double[][] drawn = sample == null ? null : constrained(sample, compiled.parameters());
    boolean written = writeOutputs(sample, drawn, compiled, formula, opt, best, stderr);
    stdout.println(fit.finishLine(options.iterations));
    reportFailures(selection, compiled, stderr);
    stdout.printf(Locale.ROOT, "final loss = %s +- %s over %d fresh draws (KL = final loss + log Z)%n",
        PyFormat.commaG5(best.evaluation().finalLoss()), PyFormat.commaG5(best.evaluation().standardError()), evalDraws);
    if (paretoK.k() > ParetoSmoothing.UNRELIABLE_K) {
      stderr.printf(Locale.ROOT, "warning: Pareto k = %.2f > 0.7: the flow misses parts of the target; "
          + "do not trust its draws or its loss%n", paretoK.k());
    } else if (Double.isNaN(paretoK.k()) && best.succeeded()) {
      stderr.println("note: pareto_k is NaN: not computed: " + paretoK.reason());
    }
    // after every other output: a picture that cannot be drawn must not cost the fit's numbers
    boolean pictured = drawPlots(compiled, formula, opt, drawn, best, stderr);
    if (json) {
      stdout.println(Json.line(report(compiled, formula, opt, selection, paretoK.k(), compileSeconds, fitSeconds)));
    }
    if (!best.succeeded()) {
      return ExitCodes.NUMERICAL;
    }
    return pictured && written ? ExitCodes.OK : ExitCodes.USER;
  }

  /**
   * Writes the draws and the track; a file that fails only while being written (a full disk)
   * is reported on stderr and returns false, so the fit's numbers still reach stdout.
   */
  private boolean writeOutputs(Nfvi.Sample sample, double[][] drawn, CompiledFlow compiled, FlowFormula formula,
      Optimizer opt, Restart best, PrintWriter stderr) {
    boolean ok = true;
    if (out != null) {
      try {
        if (format == DrawsFormat.STAN_CSV) {
          writeStanCsv(sample, drawn, compiled, formula, opt, best);
        } else {
          writeDraws(reported(sample, compiled.reported()), compiled.reported().names());
        }
      } catch (UserException e) {
        stderr.println("error: " + e.getMessage());
        ok = false;
      }
    }
    if (track != null) {
      try {
        OutputFile.writeText("--track-out", trackOut, best.tracker()::writeCsv);
      } catch (UserException e) {
        stderr.println("error: " + e.getMessage());
        ok = false;
      }
    }
    return ok;
  }

  /** Draws the asked pictures; reports a failure on stderr and returns false instead of throwing. */
  private boolean drawPlots(CompiledFlow compiled, FlowFormula formula, Optimizer opt, double[][] drawn, Restart best,
      PrintWriter stderr) {
    boolean ok = true;
    if (plot != null) {
      try {
        String settings = String.format(Locale.ROOT, "%s, lr %s, nmc %d, %,d iterations", opt.name(),
            PyFormat.commaG5(opt.learningRate()), options.nmc, best.fit().history().length);
        Figure picture = FitPlots.fit(compiled.name(), formula.normalized(), compiled.model(), compiled.parameters(),
            drawn, best.fit(), settings, window);
        PngOutput.write("--plot", size.render(picture), plot);
      } catch (UserException | IllegalArgumentException e) {
        stderr.println("error: --plot: " + e.getMessage().replaceFirst("^--plot: ", ""));
        ok = false;
      }
    }
    if (plotTrack != null) {
      try {
        Figure picture = FitPlots.tracker(compiled.name(), formula.normalized(), best.tracker(),
            compiled.layout().elementNames(), track, plotTrackMax);
        PngOutput.write("--plot-track", size.render(picture), plotTrack);
      } catch (UserException | IllegalArgumentException e) {
        stderr.println("error: --plot-track: " + e.getMessage().replaceFirst("^--plot-track: ", ""));
        ok = false;
      }
    }
    return ok;
  }


  private void checkOptions() {
    options.check();
    if (draws < 1 || evalDraws < 2 || (threads != null && threads < 1)) {
      throw new UserException("--draws and --threads must be >= 1, --eval-draws >= 2");
    }
    for (String entry : starts) {
      int eq = entry.lastIndexOf('=');
      if (eq <= 0 || !isNumber(entry.substring(eq + 1))) {
        throw new UserException("--start takes NAME=X with X a finite number, e.g. scale_0.rho[0]=12, not '" + entry
            + "'");
      }
    }
    if (!init.equals("usual") && !init.equals("laplace")) {
      throw new UserException("--init must be usual or laplace, not '" + init + "'");
    }
    if (minibatch != null && minibatch < 1) {
      throw new UserException("--minibatch must be >= 1 (rows per step)");
    }
    if (track != null && track < 1) {
      throw new UserException("--track must be >= 1");
    }
    if (plotTrack != null && track == null) {
      throw new UserException("--plot-track needs --track K (record every K iterations)");
    }
    if (plotTrack != null && track > options.iterations) {
      throw new UserException("--plot-track: --track " + track + " is more than --iters " + options.iterations
          + ": nothing would be tracked");
    }
    if (plotTrackMax < 1) {
      throw new UserException("--plot-track-max must be >= 1");
    }
    if (plot != null || plotTrack != null) {
      size.check();
      window.check();
    }
    if (plot != null) {
      PngOutput.check("--plot", plot);
    }
    // files too are checked before the fit, so that a fit is not lost to a mistyped path
    format = DrawsFormat.forOut(formatName, out);
    if (out != null) {
      OutputFile.check("--out", out);
    }
    if (track != null) {
      OutputFile.check("--track-out", trackOut);
    }
    if (plotTrack != null) {
      PngOutput.check("--plot-track", plotTrack);
    }
  }

  private static boolean isNumber(String text) {
    try {
      return Double.isFinite(Double.parseDouble(text));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The mode and covariance of the model's Laplace approximation, and where the formula takes them. */
  private static Laplace laplace(CompiledFlow compiled, FlowFormula formula, PrintWriter stderr) {
    try {
      LaplaceStart start = LaplaceStart.of(compiled.layout(), formula.normalized());
      LaplaceApproximation approximation = LaplaceApproximation.of(compiled.model());
      stderr.printf(Locale.ROOT, "Laplace start: mode at log p = %s (%d gradient evaluations), through %s%n",
          PyFormat.commaG5(approximation.logDensity()), approximation.evaluations(), start.tail());
      stderr.flush();
      return new Laplace(start, approximation);
    } catch (LaplaceException e) {
      throw new UserException("--init laplace: " + e.getMessage());
    }
  }

  /** Runs the restarts, keeping the best one's state and every one's summary as they finish. */
  private RestartSelection runRestarts(Nfvi nfvi, Optimizer opt, CompiledFlow compiled, PrintWriter stderr)
      throws InterruptedException {
    RestartSelection selection = new RestartSelection();
    int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    InOrderPool.run(options.restarts, threadCount, index -> fitOne(nfvi, opt, compiled, index), r -> {
      selection.add(r);
      if (options.restarts > 1) {
        stderr.printf(Locale.ROOT, "restart %d/%d (seed %d): %s, final loss %s%n", r.index() + 1, options.restarts, r.seed(),
            r.status(), PyFormat.commaG5(r.evaluation().finalLoss()));
        stderr.flush();
      }
    });
    return selection;
  }

  /**
   * The threads each restart's steps get: the restarts run on min(R, T) threads and share the
   * others (none: each restart computes its chunks alone, the same bits).
   */
  static int stepThreads(int threads, int restarts) {
    return Math.max(1, threads / Math.min(restarts, threads));
  }

  /** A numerical failure if no restart succeeded; else a warning naming how many failed. */
  private void reportFailures(RestartSelection selection, CompiledFlow compiled, PrintWriter stderr) {
    Restart best = selection.best();
    if (!best.succeeded()) {
      String which = options.restarts > 1 ? "no restart succeeded; restart " + (best.index() + 1) + ": " : "";
      stderr.println("error: numerical failure: " + which + best.failure() + cause(best.fit(), compiled));
    } else if (selection.failures() > 0) {
      stderr.printf(Locale.ROOT, "warning: %d of %d restarts ended with a loss that is not finite; "
          + "the best of the others is kept (restart %d)%n", selection.failures(), options.restarts, best.index() + 1);
    }
  }

  /** The argument outside its domain at the draw that stopped the fit, or "". */
  private static String cause(Fit fit, CompiledFlow compiled) {
    double[] draw = fit.rejectedDraw();
    if (draw == null || compiled.diagnosis() == null) {
      return "";
    }
    DomainDiagnosis.Violation v = compiled.diagnosis().at(draw);
    return v == null ? "" : "; at one of its draws: " + v.message();
  }

  private Restart fitOne(Nfvi nfvi, Optimizer opt, CompiledFlow compiled, int index) {
    long restartSeed = Restart.seedOf(seed, index);
    Tracker tracker = track == null ? null : new Tracker(track, compiled.layout().elementNames());
    List<FitCallback> callbacks = new ArrayList<>();
    if (tracker != null) {
      callbacks.add(tracker);
    }
    if (progress != null) {
      callbacks.add(progress);
    }
    Nfvi.Settings settings = options.settings(opt, restartSeed, callbacks);
    long start = System.nanoTime();
    Fit fit = laplace == null && starts.isEmpty() ? nfvi.fit(settings) : nfvi.fit(settings, start(compiled, restartSeed));
    long fitted = System.nanoTime();
    Nfvi.Evaluation evaluation = nfvi.evaluate(fit.parameters(), evalDraws, restartSeed);
    return new Restart(index, restartSeed, fit, evaluation, tracker, (fitted - start) / 1e9,
        (System.nanoTime() - fitted) / 1e9);
  }

  /** The start of a restart: --init's, with the --start values over it. */
  private double[] start(CompiledFlow compiled, long restartSeed) {
    long stream = Draws.streamSeed(restartSeed, Draws.INITIALIZATION);
    double[] theta = laplace == null ? compiled.layout().initialParameters(options.jitter, stream)
        : laplace.start().parameters(laplace.approximation(), jitter(), stream);
    startValues.forEach((index, value) -> theta[index] = value);
    return theta;
  }

  /**
   * The jitter of the start: with --init laplace, 0 unless --jitter is given, since the usual default of 1
   * would move the mode by a standard normal draw in every coordinate, whatever the posterior's scale.
   */
  private double jitter() {
    boolean given = spec.commandLine().getParseResult().hasMatchedOption("--jitter");
    return laplace != null && !given ? 0 : options.jitter;
  }

  /** The --start values by their index in theta, each name checked against the formula's parameters. */
  private static Map<Integer, Double> startValues(List<String> entries, List<String> names) {
    Map<Integer, Double> values = new LinkedHashMap<>();
    for (String entry : entries) {
      int eq = entry.lastIndexOf('=');
      String name = entry.substring(0, eq);
      int index = names.indexOf(name);
      if (index < 0) {
        throw new UserException("--start: no flow parameter '" + name + "' in this formula" + (names.isEmpty()
            ? ", which has none" : " (names as --json lists them, e.g. " + names.get(0) + ")"));
      }
      values.put(index, Double.parseDouble(entry.substring(eq + 1)));
    }
    return values;
  }

  /** Pareto k, or NaN with the reason it could not be computed. */
  private record ParetoK(double k, String reason) {}

  private ParetoK paretoK(Nfvi.Evaluation evaluation) {
    try {
      return new ParetoK(ParetoSmoothing.paretoK(evaluation.logRatios()), "");
    } catch (IllegalArgumentException e) {
      String hint = evalDraws < ParetoSmoothing.MIN_DRAWS ? " (--eval-draws " + evalDraws + ")" : "";
      return new ParetoK(Double.NaN, e.getMessage() + hint);
    }
  }

  /** The flow's draws on the constrained scale (bounded parameters inside their bounds), one row per draw. */
  static double[][] constrained(Nfvi.Sample sample, ParameterLayout parameters) {
    double[][] rows = new double[sample.draws()][parameters.dimension()];
    for (int s = 0; s < rows.length; s++) {
      parameters.constrain(sample.row(s), rows[s]);
    }
    return rows;
  }

  /** The flow's draws as {@code reported} reports them: parameters, then derived quantities. */
  static double[][] reported(Nfvi.Sample sample, Reported reported) {
    double[][] rows = new double[sample.draws()][reported.names().size()];
    for (int s = 0; s < rows.length; s++) {
      reported.values(sample.row(s), rows[s]);
    }
    return rows;
  }

  private void writeDraws(double[][] rows, List<String> elements) {
    OutputFile.writeText("--out", out, w -> {
      w.write(String.join(",", elements) + "\n");
      for (double[] values : rows) {
        StringBuilder row = new StringBuilder();
        for (double v : values) {
          row.append(row.length() == 0 ? "" : ",").append(v);
        }
        w.write(row.append('\n').toString());
      }
    });
  }

  /**
   * The draws in CmdStan's variational layout, with the model's log density and the flow's at each
   * draw. The header's seed is the one of the restart the draws come from, which reproduces them.
   */
  private void writeStanCsv(Nfvi.Sample sample, double[][] drawn, CompiledFlow compiled, FlowFormula formula,
      Optimizer opt, Restart best) {
    double[] logP = new double[sample.draws()];
    double[] work = new double[compiled.model().workspaceSize()];
    for (int s = 0; s < logP.length; s++) {
      logP[s] = compiled.model().logDensity(sample.row(s), work);
    }
    StanCsv.Variational run = new StanCsv.Variational(compiled.name(), formula.normalized(),
        best.fit().history().length, options.nmc, opt.name(), opt.learningRate(), evalDraws, draws, best.seed(), data.file);
    OutputFile.writeText("--out", out,
        w -> StanCsv.writeVariational(w, run, compiled.reported().names(), out, reported(sample, compiled.reported()),
            logP, sample.logq()));
  }

  private ObjectNode report(CompiledFlow compiled, FlowFormula formula, Optimizer opt, RestartSelection selection,
      double paretoK, double compileSeconds, double fitSeconds) {
    Restart best = selection.best();
    Fit fit = best.fit();
    ObjectNode r = Json.object();
    r.put("model", compiled.name());
    r.put("flow", formula.normalized());
    r.put("iterations", fit.history().length);
    r.put("status", best.status());
    Json.putNumber(r, "average_loss", fit.averageLoss());
    Json.putNumber(r, "final_loss", best.evaluation().finalLoss());
    Json.putNumber(r, "final_loss_se", best.evaluation().standardError());
    Json.putNumber(r, "pareto_k", paretoK);
    Json.putNumber(r, "compile_seconds", compileSeconds);
    // the whole fitting phase: every restart's optimization and evaluation (in parallel if asked)
    Json.putNumber(r, "fit_seconds", fitSeconds);
    r.put("seed", seed);
    r.put("init", init);
    r.put("optimizer", opt.name());
    Json.putNumber(r, "learning_rate", opt.learningRate());
    r.put("nmc", options.nmc);
    r.put("step_chunks", compiled.stepChunks(options.nmc));
    Json.putNumber(r, "jitter", jitter());
    if (compiled.batches() != null) {
      r.put("minibatch", compiled.batches().size());
      r.put("rows", compiled.batches().rows());
    } else {
      r.putNull("minibatch");
      r.putNull("rows");
    }
    if (options.averageLast != null) {
      r.put("average_last", options.averageLast);
    } else {
      r.putNull("average_last");
    }
    Json.putNumber(r, "lr_final", options.lrFinal == null ? opt.learningRate() : options.lrFinal);
    r.put("best_restart", best.index());
    ArrayNode all = r.putArray("restarts");
    for (Restart.Summary each : selection.summaries()) {
      ObjectNode o = all.addObject();
      o.put("seed", each.seed());
      o.put("status", each.status());
      Json.putNumber(o, "average_loss", each.averageLoss());
      Json.putNumber(o, "final_loss", each.finalLoss());
      Json.putNumber(o, "fit_seconds", each.fitSeconds());
      Json.putNumber(o, "eval_seconds", each.evalSeconds());
    }
    ObjectNode parameters = r.putObject("parameters");
    double[] theta = fit.parameters();
    List<String> names = compiled.layout().elementNames();
    for (int i = 0; i < theta.length; i++) {
      Json.putNumber(parameters, names.get(i), theta[i]);
    }
    return r;
  }
}
