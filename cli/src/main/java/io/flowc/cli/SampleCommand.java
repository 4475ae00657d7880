package io.flowc.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.LogDensity;
import io.flowc.compiler.driver.DerivedQuantities;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.Reported;
import io.flowc.runtime.Rejections;
import io.flowc.runtime.data.RowChunks;
import io.flowc.runtime.diagnostics.Convergence;
import io.flowc.runtime.diagnostics.ParameterSummary;
import io.flowc.runtime.nuts.ChainStats;
import io.flowc.runtime.nuts.ImproperPosteriorException;
import io.flowc.runtime.nuts.Nuts;
import io.flowc.runtime.nuts.NutsResult;
import io.flowc.runtime.nuts.NutsSettings;
import io.flowc.runtime.nuts.RunawayDraws;
import io.flowc.runtime.nuts.SamplerReport;
import io.flowc.runtime.nuts.SamplingException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowc sample}: PyMC3's NUTS ({@code pm.sample} with init='auto') on a compiled model. */
@Command(
    name = "sample",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Sample a model with the No-U-Turn Sampler as PyMC3's pm.sample does: jitter+adapt_diag starts, "
            + "step size and diagonal mass matrix adapted while tuning, tuning draws discarded. Prints PyMC3's "
            + "lines and warnings and a summary (mean, sd, quantiles, MCSE, bulk and tail ESS, R-hat) on stderr.",
        "%nDefaults are PyMC3's: 1000 draws after 1000 tuning iterations per chain, target_accept 0.8, "
            + "max_treedepth 10; chains max(2, min(4, cores)).%n"
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  flowc sample examples/pot4.flow --draws 3000 --target-accept 0.9 --chains 2",
        "  flowc sample examples/pot1.flow --chains 2 --start=-2,0 --start 2,0 --out draws.csv",
        "  flowc sample examples/pot1.flow --chains 4 --out fit.csv --format stan-csv   (fit_1.csv ... fit_4.csv)",
        "  flowc sample pot1.jar --json",
        "  flowc sample examples/pot4.flow --draws 3000 --target-accept 0.9 --chains 2 --plot nuts.png"
    })
public final class SampleCommand implements Callable<Integer> {
  /** What an improper posterior asks of the model, after the message that says it looks improper. */
  static final String IMPROPER_HINT = "Give every parameter a proper prior or likelihood (one declared but unused, "
      + "or under a flat potential, has none).";

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.flow|ARTIFACT.jar", description = "The model, or its compiled artifact.")
  private String modelFile;

  @Option(names = "--draws", paramLabel = "N", description = "Draws kept per chain (default 1000).")
  private int draws = NutsSettings.DEFAULT_DRAWS;

  @Mixin
  private NutsOptions nuts = new NutsOptions();

  @Option(names = "--start", paramLabel = "Z1,Z2,...", description = "Starting point instead of the jittered one: once for every chain, or once per chain.")
  private List<String> starts = new ArrayList<>();

  @Option(names = "--seed", paramLabel = "S", description = "Random seed (default 0).")
  private long seed;

  /** Accepted only to be refused with the reason: minibatches are for fits. */
  @Option(names = "--minibatch", paramLabel = "B", hidden = true)
  private Integer minibatch;

  @Option(names = "--threads", paramLabel = "T", description = "Chains run in parallel on up to T threads (default: cores); the draws do not depend on it.")
  private Integer threads;

  @Option(names = "--gradient-threads", paramLabel = "G", description = "Given, a model with many rows of data splits "
      + "each gradient into fixed chunks of rows that G threads per chain compute at once; the draws are the same for "
      + "every G (not those of a run without it).")
  private Integer gradientThreads;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the draws as CSV: chain,draw and one column per element.")
  private String out;

  @Option(names = "--format", paramLabel = "FORMAT", description = "What --out writes: flowc (default, one file) or "
      + "stan-csv (CmdStan's layout, one file per chain: FILE for one chain, else FILE_1.csv, FILE_2.csv, ...).")
  private String formatName = "flowc";

  private DrawsFormat format;

  @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw a trace per element (one line per chain) "
      + "and the joint draws of the first two.")
  private String plot;

  @Mixin
  private ImageSize size;

  @Option(names = "--json", description = "Print one JSON object (the last line of stdout).")
  private boolean json;

  @Mixin
  private DataOption data = new DataOption();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  /**
   * A compiled model, from source or from an artifact; {@code rejections} (null for an artifact)
   * is the density, counting the points rejected because an argument is outside its domain.
   */
  private record Compiled(String name, LogDensity density, ParameterLayout layout, Rejections rejections,
      Reported reported, RowChunks chunks) {}

  @Override
  public Integer call() throws CompileException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    checkOptions();
    long compileStart = System.nanoTime();
    Compiled compiled = compile(stderr);
    double compileSeconds = (System.nanoTime() - compileStart) / 1e9;
    NutsSettings settings = settings(compiled);

    stderr.println("Auto-assigning NUTS sampler...");
    stderr.println("Initializing NUTS using jitter+adapt_diag...");
    if (draws < 500) {
      stderr.println("Only " + draws + " samples in chain.");
    }
    stderr.println(SamplerReport.jobsLine(nuts.chains, Math.min(settings.threads(), nuts.chains)));
    stderr.println("NUTS: [" + String.join(", ", compiled.layout().parameters().stream()
        .map(ParameterLayout.Parameter::name).toList()) + "]");
    stderr.flush();

    NutsResult result;
    long cpuBefore = processCpuNanos();
    try (SamplingProgress progress = SamplingProgress.start(stderr, nuts.chains, nuts.tune, draws)) {
      result = compiled.chunks() == null ? Nuts.sample(compiled.density(), settings, progress)
          : Nuts.sample(compiled.chunks(), gradientThreads, compiled.rejections()::around, settings, progress);
    } catch (ImproperPosteriorException e) {
      return improper(compiled, e, stdout, stderr);
    } catch (SamplingException e) {
      stderr.println("error: numerical failure: " + e.getMessage() + DomainReports.atStart(compiled.rejections(),
          e.point()));
      return ExitCodes.NUMERICAL;
    }
    double sampleCpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
    stderr.println(SamplerReport.samplingLine(nuts.chains, nuts.tune, draws, result.seconds()));
    if (compiled.rejections() != null) {
      DomainReports.summary(compiled.rejections()).forEach(stderr::println);
    }

    // summaries and both CSV formats: parameters, then derived quantities
    List<String> elements = compiled.reported().names();
    NutsResult values = result.reported(compiled.reported());
    List<ParameterSummary> summaries = new ArrayList<>();
    for (int k = 0; k < elements.size(); k++) {
      summaries.add(Convergence.summarize(elements.get(k), values.element(k)));
    }
    List<String> warnings = new ArrayList<>();
    RunawayDraws.Element runaway = RunawayDraws.find(result.draws(), values.draws());
    if (runaway != null) {
      warnings.add(runawayWarning(elements.get(runaway.index()), runaway.extreme()));
    }
    warnings.addAll(warnings(result, summaries));
    warnings.forEach(stderr::println);
    stderr.print(SummaryTable.render(summaries));
    stderr.flush();

    boolean written = out == null || writeDraws(values.draws(), result.chainStats(), compiled, stderr);
    // after every other output: a picture that cannot be drawn must not cost the draws
    boolean pictured = plot == null || drawPlot(compiled, result, stderr);
    if (json) {
      stdout.println(Json.line(report(compiled, result, summaries, warnings, compileSeconds, sampleCpuSeconds)));
    }
    return written && pictured ? ExitCodes.OK : ExitCodes.USER;
  }

  /** The warning for finite draws running off to infinity ({@link RunawayDraws}). */
  static String runawayWarning(String element, double extreme) {
    return String.format(Locale.ROOT, "The posterior looks improper: the draws of %s run off to infinity "
        + "(up to %.3g). %s", element, extreme, IMPROPER_HINT);
  }

  /** What {@code e} means, with the element's name. */
  static String improperMessage(ImproperPosteriorException e, List<String> elements) {
    return "the posterior looks improper: chain " + e.chain() + " ran off to infinity (" + elements.get(e.element())
        + " became " + e.value() + " at " + e.where() + "). " + IMPROPER_HINT;
  }

  /**
   * A chain ran off to infinity: the error, the draws kept before it (with --out), a JSON line
   * saying so (with --json); exit 3.
   */
  private int improper(Compiled compiled, ImproperPosteriorException e, PrintWriter stdout, PrintWriter stderr) {
    List<String> elements = compiled.layout().elementNames();
    String message = improperMessage(e, elements);
    stderr.println("error: numerical failure: " + message);
    double[][][] before = constrained(e.drawsBefore(), compiled.reported());
    int[] kept = new int[before.length];
    for (int c = 0; c < before.length; c++) {
      kept[c] = before[c].length;
    }
    if (out != null && writeDraws(before, e.statsBefore(), compiled, stderr)) {
      stderr.println("wrote " + String.join(", ", outFiles()) + ": the " + Arrays.stream(kept).sum()
          + " draws kept before the failure (per chain: " + String.join(", ", Arrays.stream(kept).mapToObj(Integer::toString).toList()) + ")");
    }
    if (plot != null) {
      stderr.println("--plot: nothing drawn: " + plot + " not written");
    }
    if (json) {
      ObjectNode r = reportHead(compiled, "improper");
      r.put("error", message);
      r.put("seed", seed);
      ArrayNode counts = r.putArray("draws_kept");
      Arrays.stream(kept).forEach(counts::add);
      stdout.println(Json.line(r));
    }
    return ExitCodes.NUMERICAL;
  }

  /** Draws of chains of any lengths on the constrained scale. */
  private static double[][][] constrained(double[][][] draws, Reported reported) {
    double[][][] values = new double[draws.length][][];
    for (int c = 0; c < draws.length; c++) {
      values[c] = reported.rows(draws[c]);
    }
    return values;
  }

  /** Draws the picture; reports a failure on stderr and returns false instead of throwing. */
  private boolean drawPlot(Compiled compiled, NutsResult result, PrintWriter stderr) {
    try {
      PngOutput.write("--plot", size.render(NutsPlots.nuts(compiled.name(), compiled.layout(), result)), plot);
      return true;
    } catch (UserException | IllegalArgumentException e) {
      stderr.println("error: --plot: " + e.getMessage().replaceFirst("^--plot: ", ""));
      return false;
    }
  }

  private void checkOptions() {
    if (minibatch != null) {
      throw new UserException("--minibatch: NUTS needs the gradient on all rows (a gradient from a batch of rows "
          + "breaks the energy conservation its acceptance rests on); minibatches are for flowc fit");
    }
    nuts.check();
    if (draws < 1) {
      throw new UserException("--draws must be >= 1");
    }
    if (threads != null && threads < 1) {
      throw new UserException("--threads must be >= 1");
    }
    if (gradientThreads != null && gradientThreads < 1) {
      throw new UserException("--gradient-threads must be >= 1");
    }
    if (plot != null) {
      size.check();
      PngOutput.check("--plot", plot);
    }
    // before the sampling, so that a mistyped path costs nothing
    format = DrawsFormat.forOut(formatName, out);
    if (out != null) {
      outFiles().forEach(f -> OutputFile.check("--out", f));
    }
    if (!starts.isEmpty() && starts.size() != 1 && starts.size() != nuts.chains) {
      throw new UserException("give --start once (for every chain) or once per chain (" + nuts.chains + " times), not "
          + starts.size() + " times");
    }
  }

  private Compiled compile(PrintWriter stderr) throws CompileException {
    if (ModelFiles.isArtifact(modelFile)) {
      Artifact artifact = ModelFiles.openArtifact(modelFile);
      LogDensity density = ModelFiles.logDensity(artifact);
      ModelFiles.BoundArtifact bound = ModelFiles.bind(artifact, data.file, stderr);
      if (bound.binding() != null) {
        density = bound.binding().bind(density);
      }
      Rejections rejections = bound.source() == null ? null : DomainReports.watch(density, bound.source());
      Reported reported = artifact.reported(bound.binding());
      return new Compiled(artifact.modelName(), rejections == null ? density : rejections, reported.layout(),
          rejections, reported, null);
    }
    ModelFiles.Loaded loaded = ModelFiles.start(modelFile, data.file, stderr);
    CheckedModel model = loaded.model();
    return loaded.whileDataChecked(() -> {
      Rejections rejections = DomainReports.watch(Compilation.load(model), model);
      RowChunks chunks = gradientThreads == null ? null : Compilation.rowChunks(model).orElse(null);
      return new Compiled(model.name(), rejections, model.layout(), rejections, DerivedQuantities.of(model), chunks);
    });
  }

  private NutsSettings settings(Compiled compiled) {
    int dimension = compiled.layout().dimension();
    double[][] points = null;
    if (!starts.isEmpty()) {
      points = new double[starts.size()][];
      for (int i = 0; i < points.length; i++) {
        points[i] = Coordinates.parse("--start", starts.get(i));
        if (points[i].length != dimension) {
          throw new UserException("--start '" + starts.get(i) + "' has " + points[i].length + " value"
              + (points[i].length == 1 ? "" : "s") + " but model '" + compiled.name() + "' has dimension " + dimension
              + ": " + Elements.describe(compiled.layout().elementNames()));
        }
      }
    }
    int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    return nuts.settings(draws, seed, threadCount, points);
  }

  /**
   * Each chain's sampler warnings, then the convergence warnings over all chains; PyMC3 skips the
   * latter, with a warning of its own, when there are fewer than 100 draws.
   */
  private List<String> warnings(NutsResult result, List<ParameterSummary> summaries) {
    List<String> lines = new ArrayList<>();
    for (ChainStats s : result.chainStats()) {
      lines.addAll(SamplerReport.chainWarnings(s, nuts.targetAccept));
    }
    if (draws < 100 && nuts.chains > 1) {
      lines.add("The number of samples is too small to check convergence reliably.");
    } else {
      lines.addAll(Convergence.warnings(summaries, nuts.chains));
    }
    return lines;
  }

  /** The files --out writes: one, or with --format stan-csv one per chain. */
  private List<String> outFiles() {
    int files = format == DrawsFormat.STAN_CSV ? nuts.chains : 1;
    List<String> names = new ArrayList<>();
    for (int c = 0; c < files; c++) {
      names.add(StanCsv.chainFile(out, c, files));
    }
    return names;
  }

  /**
   * Writes the draws (constrained) in the asked format; reports a failure on stderr and returns
   * false instead of throwing.
   */
  private boolean writeDraws(double[][][] d, List<ChainStats> stats, Compiled compiled, PrintWriter stderr) {
    try {
      if (format == DrawsFormat.STAN_CSV) {
        writeStanCsv(d, stats, compiled);
      } else {
        writeFlowcCsv(d, compiled.reported().names());
      }
      return true;
    } catch (UserException e) {
      stderr.println("error: " + e.getMessage());
      return false;
    }
  }

  private void writeStanCsv(double[][][] d, List<ChainStats> stats, Compiled compiled) {
    StanCsv.Sampling run = new StanCsv.Sampling(compiled.name(), draws, nuts.tune, nuts.targetAccept, nuts.maxTreeDepth,
        Nuts.initialStepSize(compiled.layout().dimension()), seed, data.file, starts.isEmpty());
    List<String> files = outFiles();
    for (int c = 0; c < d.length; c++) {
      int chain = c;
      String file = files.get(c);
      OutputFile.writeText("--out", file,
          w -> StanCsv.writeChain(w, run, compiled.reported().names(), chain, file, d[chain], stats.get(chain)));
    }
  }

  private void writeFlowcCsv(double[][][] d, List<String> elements) {
    OutputFile.writeText("--out", out, w -> {
      w.write("chain,draw," + String.join(",", elements) + "\n");
      StringBuilder row = new StringBuilder();
      for (int c = 0; c < d.length; c++) {
        for (int i = 0; i < d[c].length; i++) {
          row.setLength(0);
          row.append(c).append(',').append(i);
          for (double v : d[c][i]) {
            row.append(',').append(v);
          }
          w.write(row.append('\n').toString());
        }
      }
    });
  }

  /** The keys every sample report starts with. */
  private ObjectNode reportHead(Compiled compiled, String status) {
    ObjectNode r = Json.object();
    r.put("model", compiled.name());
    r.put("status", status);
    r.put("chains", nuts.chains);
    r.put("draws", draws);
    r.put("tune", nuts.tune);
    return r;
  }

  private ObjectNode report(Compiled compiled, NutsResult result, List<ParameterSummary> summaries,
      List<String> warnings, double compileSeconds, double sampleCpuSeconds) {
    ObjectNode r = reportHead(compiled, "finished");
    r.put("divergences", result.divergences());
    Json.putNumber(r, "compile_seconds", compileSeconds);
    Json.putNumber(r, "sample_seconds", result.seconds());
    Json.putNumber(r, "sample_cpu_seconds", sampleCpuSeconds);
    r.put("seed", seed);
    Json.putNumber(r, "target_accept", nuts.targetAccept);
    r.put("max_treedepth", nuts.maxTreeDepth);
    r.put("gradient_evaluations", result.gradientEvaluations());
    r.put("gradient_chunks", compiled.chunks() == null ? 1 : compiled.chunks().count());
    ArrayNode steps = r.putArray("step_size");
    ArrayNode accept = r.putArray("mean_accept");
    for (ChainStats s : result.chainStats()) {
      Json.addNumber(steps, s.finalStepSize());
      Json.addNumber(accept, s.meanAcceptance());
    }
    ObjectNode params = r.putObject("params");
    for (ParameterSummary s : summaries) {
      ObjectNode p = params.putObject(s.name());
      Json.putNumber(p, "mean", s.mean());
      Json.putNumber(p, "sd", s.sd());
      Json.putNumber(p, "q5", s.q5());
      Json.putNumber(p, "q50", s.q50());
      Json.putNumber(p, "q95", s.q95());
      Json.putNumber(p, "mcse_mean", s.mcseMean());
      Json.putNumber(p, "ess_bulk", s.essBulk());
      Json.putNumber(p, "ess_tail", s.essTail());
      Json.putNumber(p, "r_hat", s.rHat());
    }
    ArrayNode w = r.putArray("warnings");
    warnings.forEach(w::add);
    if (compiled.rejections() != null) {
      DomainReports.putJson(r, compiled.rejections());
    }
    return r;
  }

  /**
   * The CPU time of the whole process (every thread: the chains, HotSpot's compilers, the collector),
   * as C's clock() counts it: what Stan's own timer (get_elapsed_time in rstan 2.21) reports, so
   * the two compare on a shared machine, where wall time counts the other processes' turns too.
   */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
