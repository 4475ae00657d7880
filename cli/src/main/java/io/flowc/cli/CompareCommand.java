package io.flowc.cli;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.plot.CompareFigure;
import io.flowc.plot.ConstrainedDensity;
import io.flowc.plot.DensityGrid;
import io.flowc.plot.Figure;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.nfvi.Draws;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.nfvi.PyFormat;
import io.flowc.runtime.nuts.ImproperPosteriorException;
import io.flowc.runtime.nuts.Nuts;
import io.flowc.runtime.nuts.NutsResult;
import io.flowc.runtime.nuts.NutsSettings;
import io.flowc.runtime.nuts.RunawayDraws;
import io.flowc.runtime.nuts.SamplerReport;
import io.flowc.runtime.nuts.SamplingException;
import io.flowc.runtime.optim.Optimizer;
import io.flowc.runtime.optim.Optimizers;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowc compare}: the notebook's last figure, target | NUTS draws | flow draws on the same axes. */
@Command(
    name = "compare",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Sample a model with NUTS, fit a normalizing flow to it, and draw the target density, the NUTS draws "
            + "and the flow's draws side by side on the same axes (the notebook's last figure).",
        "%nDefaults are PyMC3's for both: NUTS 1000 draws after 1000 tuning iterations per chain, target_accept "
            + "0.8; NFVI 10000 iterations of adagrad_window with learning rate 0.001, one draw per step, jitter 1. "
            + "Models of more than two elements show the first two, without the density; bounded parameters are "
            + "drawn as the values they take, with the density of those values.%n"
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  flowc compare examples/pot4.flow --flow planar*10 --jitter 0.1 --optimizer adam --lr 0.01 --nmc 10 "
            + "--iters 25000 --chains 2 --draws 3000 --target-accept 0.9 -o compare.png"
    })
public final class CompareCommand implements Callable<Integer> {
  /** Three square panels side by side. */
  static final int DEFAULT_WIDTH = 1500;
  static final int DEFAULT_HEIGHT = 600;

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.flow|ARTIFACT.jar", description = "The model, or its compiled artifact.")
  private String modelFile;

  @Option(names = "--flow", required = true, paramLabel = "FORMULA", description = "The flow, e.g. planar*8.")
  private String flow;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.png", description = "The picture to write.")
  private String out;

  @Option(names = "--iters", paramLabel = "N", description = "NFVI iterations (default 10000).")
  private int iterations = 10_000;

  @Option(names = "--nmc", paramLabel = "K", description = "NFVI base draws per iteration (default 1).")
  private int nmc = 1;

  @Option(names = "--optimizer", paramLabel = "NAME", description = "NFVI optimizer (default adagrad_window).")
  private String optimizer = "adagrad_window";

  @Option(names = "--lr", paramLabel = "X", description = "Learning rate (default: the optimizer's PyMC3 default).")
  private Double learningRate;

  @Option(names = "--jitter", paramLabel = "J", description = "Initial parameters of PyMC3's flows are J times "
      + "standard normal draws (default 1); neural flows start at the identity whatever J.")
  private double jitter = 1;

  @Option(names = "--flow-draws", paramLabel = "D", description = "Draws from the fitted flow (default: as many as "
      + "NUTS keeps in all chains).")
  private Integer flowDraws;

  @Option(names = "--draws", paramLabel = "N", description = "NUTS draws kept per chain (default 1000).")
  private int draws = NutsSettings.DEFAULT_DRAWS;

  @Option(names = "--tune", paramLabel = "N", description = "NUTS tuning iterations per chain (default 1000).")
  private int tune = NutsSettings.DEFAULT_TUNE;

  @Option(names = "--chains", paramLabel = "C", description = "NUTS chains (default ${DEFAULT-VALUE}).")
  private int chains = NutsSettings.defaultChains();

  @Option(names = "--target-accept", paramLabel = "A", description = "NUTS target acceptance (default 0.8).")
  private double targetAccept = NutsSettings.DEFAULT_TARGET_ACCEPT;

  @Option(names = "--seed", paramLabel = "S", description = "Random seed of both (default 0).")
  private long seed;

  /** Accepted only to be refused with the reason: the NUTS side needs all rows. */
  @Option(names = "--minibatch", paramLabel = "B", hidden = true)
  private Integer minibatch;

  @Option(names = "--threads", paramLabel = "T", description = "NUTS chains run on up to T threads (default: cores); "
      + "the fit's steps with much work split their draws into fixed chunks on T threads (the same bits for every "
      + "T).")
  private Integer threads;

  @Mixin
  private ImageSize size;

  @Mixin
  private WindowOptions window;

  @Mixin
  private DataOption data = new DataOption();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Override
  public Integer call() throws CompileException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    checkOptions();
    FlowFormula formula = FlowFormulaParsing.parse(flow);
    Optimizer opt = optimizer();
    CompiledFlow compiled = CompiledFlow.of(modelFile, data.file, formula, nmc, stderr);
    if (compiled.parameters().dimension() < 2) {
      throw new UserException(modelFile + ": flowc compare draws two elements, and '" + compiled.name()
          + "' has dimension " + compiled.parameters().dimension());
    }

    NutsResult nuts;
    try (SamplingProgress progress = SamplingProgress.start(stderr, chains, tune, draws)) {
      nuts = Nuts.sample(compiled.model(), nutsSettings(), progress);
    } catch (ImproperPosteriorException e) {
      return noPicture(SampleCommand.improperMessage(e, compiled.parameters().elementNames()), stderr);
    } catch (SamplingException e) {
      stderr.println("error: numerical failure in NUTS: " + e.getMessage());
      return ExitCodes.NUMERICAL;
    }
    stdout.println("NUTS: " + SamplerReport.samplingLine(chains, tune, draws, nuts.seconds()));
    NutsResult nutsValues = nuts.constrained(compiled.parameters());
    RunawayDraws.Element runaway = RunawayDraws.find(nuts.draws(), nutsValues.draws());
    if (runaway != null) {
      // the NUTS draws are the reference the flow is judged by, and draws running off to infinity are none
      return noPicture(SampleCommand.runawayWarning(compiled.parameters().elementNames().get(runaway.index()),
          runaway.extreme()), stderr);
    }
    double[][] nutsDraws = NutsPlots.pooled(nutsValues.draws());

    // NUTS has finished: the fit may split its steps on all the threads
    Nfvi nfvi = compiled.nfvi(threads != null ? threads : Runtime.getRuntime().availableProcessors());
    Fit fit = nfvi.fit(new Nfvi.Settings(iterations, opt, nmc, jitter, seed, Nfvi.Settings.NO_CLIPPING, List.of()));
    stdout.println("NFVI " + formula.normalized() + ": " + fit.finishLine(iterations));
    if (fit.status() == Fit.Status.NOT_FINITE) {
      stderr.println("error: numerical failure: " + fit.message());
      return ExitCodes.NUMERICAL;
    }
    int n = flowDraws != null ? flowDraws : nutsDraws.length;
    double[][] flowRows = FitCommand.constrained(nfvi.sample(fit.parameters(), n, seed, Draws.SAMPLE),
        compiled.parameters());

    Figure picture = CompareFigure.of(compiled.name() + ": target | NUTS | NFVI with " + formula.normalized(),
        note(nuts, opt, fit), target(compiled, nutsDraws, flowRows), compiled.parameters().elementNames(), nutsDraws,
        flowRows);
    PngOutput.write("-o", size.render(picture, DEFAULT_WIDTH, DEFAULT_HEIGHT), out);
    return ExitCodes.OK;
  }

  /** NUTS found no posterior to compare with: exit 3 without a picture. */
  private int noPicture(String why, PrintWriter stderr) {
    stderr.println("error: numerical failure in NUTS: " + Character.toLowerCase(why.charAt(0)) + why.substring(1));
    stderr.println("-o: nothing to compare; " + out + " not written");
    return ExitCodes.NUMERICAL;
  }

  private void checkOptions() {
    if (minibatch != null) {
      throw new UserException("--minibatch: compare draws its reference with NUTS, which needs the gradient on all "
          + "rows; fit on minibatches with flowc fit --minibatch and compare its draws (--out) yourself");
    }
    if (iterations < 0 || nmc < 1 || (flowDraws != null && flowDraws < 1)) {
      throw new UserException("--iters must be >= 0, --nmc and --flow-draws >= 1");
    }
    if (draws < 1 || tune < 0 || chains < 1 || (threads != null && threads < 1)) {
      throw new UserException("--draws, --chains and --threads must be >= 1, --tune >= 0");
    }
    if (!(targetAccept > 0 && targetAccept < 1)) {
      throw new UserException("--target-accept must be between 0 and 1 (exclusive), e.g. 0.9");
    }
    if (!(jitter >= 0) || (learningRate != null && !(learningRate > 0))) {
      throw new UserException("--jitter must be >= 0 and --lr > 0");
    }
    size.check();
    window.check();
    PngOutput.check("-o", out);
  }

  private Optimizer optimizer() {
    try {
      return learningRate == null ? Optimizers.byName(optimizer) : Optimizers.byName(optimizer, learningRate);
    } catch (IllegalArgumentException e) {
      throw new UserException("--optimizer: " + e.getMessage());
    }
  }

  private NutsSettings nutsSettings() {
    int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    return NutsSettings.defaults().withDraws(draws).withTune(tune).withChains(chains).withTargetAccept(targetAccept)
        .withSeed(seed).withThreads(threadCount);
  }

  private DensityGrid target(CompiledFlow compiled, double[][] nutsDraws, double[][] flowRows) {
    try {
      return target(compiled.model(), compiled.parameters(), window, nutsDraws, flowRows);
    } catch (IllegalArgumentException e) {
      throw new UserException(modelFile + ": " + e.getMessage());
    }
  }

  /**
   * The target's grid for a 2-d model, null for other dimensions. The draws are shown as the
   * values users see, so a model with bounds gets the density of those values (as flowc plot
   * draws it), in a window that starts inside the bounds.
   *
   * @throws IllegalArgumentException if the density is not finite anywhere in the window
   */
  static DensityGrid target(LogDensity model, ParameterLayout parameters, WindowOptions window, double[][] nutsDraws,
      double[][] flowRows) {
    if (parameters.dimension() != 2 || parameters.hasComputedBounds()) {
      return null; // bounds computed from other values: the draws alone, as fit --plot shows bounded models
    }
    if (!parameters.isConstrained()) {
      return DensityGrid.of(model, window.boxFor(nutsDraws, flowRows), window.resolution());
    }
    ConstrainedDensity density = new ConstrainedDensity(model, parameters);
    return DensityGrid.of(density, window.boxFor(density.defaultBox(), nutsDraws, flowRows), window.resolution());
  }

  private String note(NutsResult nuts, Optimizer opt, Fit fit) {
    return String.format(Locale.ROOT, "NUTS: %d chains x %d draws, %d divergence%s; NFVI: %s, lr %s, nmc %d, %,d "
        + "iterations, average loss %s", chains, draws, nuts.divergences(), nuts.divergences() == 1 ? "" : "s",
        opt.name(), PyFormat.commaG5(opt.learningRate()), nmc, fit.history().length,
        PyFormat.commaG5(fit.averageLoss()));
  }
}
