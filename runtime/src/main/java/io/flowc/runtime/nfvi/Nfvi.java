package io.flowc.runtime.nfvi;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.optim.GradientClipping;
import io.flowc.runtime.optim.Optimizer;
import io.flowc.runtime.optim.OptimizerState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoublePredicate;
import java.util.function.IntFunction;

/**
 * Normalizing-flow variational inference on a compiled model and flow stack, PyMC3's NFVI:
 * each step draws {@code nmc} base draws, evaluates the mean loss log q - log p and its gradient
 * (the compiled kernel), optionally clips the gradient's global norm, and lets the optimizer
 * update the parameters; callbacks run after each update. Base draws come from
 * {@link Draws} streams keyed by (seed, iteration), so a fit is the same bits on any thread.
 */
public final class Nfvi {
  private final FlowKernel kernel;
  private final LogDensity model;
  private final FlowLayout layout;
  /** Rows drawn in batches at every step (null: every step sees all rows). */
  private final DataBinding.Batches batches;
  /** The split of a step of nmc draws, null for none (see {@link #withSplitSteps}). */
  private final IntFunction<StepSplit> splitOf;
  private final int threads;

  public Nfvi(FlowKernel kernel, LogDensity model, FlowLayout layout) {
    this(kernel, model, layout, null);
  }

  /**
   * A fit on minibatches, PyMC3's {@code pm.Minibatch} with {@code total_size}: each step draws
   * a batch of rows and evaluates {@code kernel} (bound by {@code batches} to code compiled
   * with free sizes), whose terms over rows are scaled by N/B. The step's loss estimates the
   * loss on all rows (PyMC3's, times its normalizing constant C = N/B); the optimizer gets the
   * gradient divided by C, as PyMC3's {@code scale_cost_to_minibatch} does, so learning rates
   * mean what they mean there. {@code model} is the density on all rows, for {@link #evaluate}.
   */
  public static Nfvi minibatch(DataBinding.Batches batches, FlowKernel kernel, LogDensity model, FlowLayout layout) {
    return new Nfvi(batches.bind(kernel), model, layout, batches);
  }

  private Nfvi(FlowKernel kernel, LogDensity model, FlowLayout layout, DataBinding.Batches batches) {
    this(kernel, model, layout, batches, nmc -> null, 1);
  }

  private Nfvi(FlowKernel kernel, LogDensity model, FlowLayout layout, DataBinding.Batches batches,
      IntFunction<StepSplit> splitOf, int threads) {
    if (kernel.dimension() != model.dimension() || layout.dimension() != model.dimension()
        || layout.parameterCount() != kernel.parameterCount()) {
      throw new IllegalArgumentException("kernel, model and layout disagree on the dimensions");
    }
    this.kernel = kernel;
    this.model = model;
    this.layout = layout;
    this.batches = batches;
    this.splitOf = splitOf;
    this.threads = threads;
  }

  /**
   * This fit with its steps split as {@link StepSplit#rule} says for a kernel of cost {@code cost},
   * the chunks computed on up to {@code threads} threads: the same bits for every number of threads
   * (and other bits than the unsplit fit's where the rule splits).
   */
  public Nfvi withThreads(StepCost cost, int threads) {
    return withSplitSteps(nmc -> StepSplit.rule(cost, nmc), threads);
  }

  /**
   * This fit with a step of nmc draws split as {@code splitOf.apply(nmc)} says (null: unsplit), on
   * up to {@code threads} threads. Fits on minibatches are not split: each step's batch lives in
   * the one workspace its walk fills.
   */
  public Nfvi withSplitSteps(IntFunction<StepSplit> splitOf, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1");
    }
    if (batches != null) {
      throw new IllegalArgumentException("fits on minibatches do not split their steps");
    }
    return new Nfvi(kernel, model, layout, null, splitOf, threads);
  }

  /** The batches drawn at each step, or null for fits on all rows. */
  public DataBinding.Batches batches() {
    return batches;
  }

  public FlowLayout layout() {
    return layout;
  }

  /**
   * How to fit: PyMC3's defaults are 10000 iterations, one draw per step, jitter 1.
   * {@code averageLast} > 0 turns on iterate averaging (Polyak-Ruppert; PyMC3 has none): the
   * fit's parameters are the mean of the iterates after each of the last {@code averageLast}
   * steps instead of the last iterate. With noisy gradients (minibatches) the last iterate
   * wanders around the optimum by an amount proportional to the step size; the mean of many
   * wanders far less. It assumes the averaged iterates have settled around one optimum.
   * {@code decay} < 1 (not in PyMC3; 1: none) multiplies the move of step i (0-based) of the
   * optimizer by decay^(i / (iterations - 1)), a geometric fall to {@code decay} times the first
   * move at the last step; for optimizers whose state does not involve the learning rate (all but
   * momentum and nesterov_momentum) that is the learning rate falling geometrically.
   */
  public record Settings(int iterations, Optimizer optimizer, int nmc, double jitter, long seed,
      double totalGradNormConstraint, List<FitCallback> callbacks, int averageLast, double decay) {
    public Settings {
      if (iterations < 0 || nmc < 1 || averageLast < 0 || !(decay > 0 && decay <= 1)) {
        throw new IllegalArgumentException("iterations and averageLast must be >= 0, nmc >= 1, decay in (0, 1]");
      }
      callbacks = List.copyOf(callbacks);
    }

    /** Without iterate averaging or decay: the fit ends with its last iterate, as PyMC3's. */
    public Settings(int iterations, Optimizer optimizer, int nmc, double jitter, long seed,
        double totalGradNormConstraint, List<FitCallback> callbacks) {
      this(iterations, optimizer, nmc, jitter, seed, totalGradNormConstraint, callbacks, 0, 1);
    }

    /** These settings with the mean of the last {@code n} iterates as the result (0: the last iterate). */
    public Settings withAverageLast(int n) {
      return new Settings(iterations, optimizer, nmc, jitter, seed, totalGradNormConstraint, callbacks, n, decay);
    }

    /** These settings with the optimizer's moves falling geometrically to {@code factor} times the first. */
    public Settings withDecay(double factor) {
      return new Settings(iterations, optimizer, nmc, jitter, seed, totalGradNormConstraint, callbacks, averageLast,
          factor);
    }

    /** The factor of step i's move. */
    double decayAt(int i) {
      return decay == 1 || iterations < 2 ? 1 : Math.pow(decay, (double) i / (iterations - 1));
    }

    /** No gradient clipping. */
    public static final double NO_CLIPPING = Double.POSITIVE_INFINITY;
  }

  /** Fits from PyMC3's initialization: jitter times standard normal draws. */
  public Fit fit(Settings settings) {
    double[] theta = layout.initialParameters(settings.jitter(), Draws.streamSeed(settings.seed(), Draws.INITIALIZATION));
    return fit(settings, theta);
  }

  /** Fits from given starting parameters (left untouched). */
  public Fit fit(Settings settings, double[] start) {
    StepSplit split = splitOf.apply(settings.nmc());
    if (split == null) {
      return fit(settings, start, null);
    }
    if (split.nmc() != settings.nmc()) {
      throw new IllegalArgumentException("a split of " + split.nmc() + " draws for steps of " + settings.nmc());
    }
    try (SplitSteps steps = new SplitSteps(kernel, split, threads, settings.seed())) {
      return fit(settings, start, steps);
    }
  }

  /** The fit, its steps split by {@code steps} (null: each step one call of the kernel). */
  private Fit fit(Settings settings, double[] start, SplitSteps steps) {
    int d = kernel.dimension();
    int p = kernel.parameterCount();
    double[] theta = start.clone();
    double[] gradient = new double[p];
    double[] clipped = new double[p];
    double[] before = new double[p];
    double[] eps = steps == null ? new double[settings.nmc() * d] : null;
    double[] work = new double[kernel.workspaceSize()];
    double[] history = new double[settings.iterations()];
    OptimizerState state = settings.optimizer().newState(p);
    DataBinding.Batches.Walk walk = batches == null ? null : batches.newWalk();
    double normalizer = batches == null ? 1 : 1 / batches.scale();
    IterateMean mean = new IterateMean(settings, p);
    FreshGradients fresh = new FreshGradients(settings.seed());
    int done = 0;
    for (int i = 0; i < settings.iterations(); i++) {
      double loss;
      if (steps == null) {
        Draws.normals(settings.seed(), i, eps, eps.length);
        if (batches != null) {
          if (walk.needsShuffle()) {
            walk.shuffle(Draws.rows(settings.seed(), i));
          }
          walk.next(work);
        }
        loss = kernel.lossGradient(theta, eps, settings.nmc(), gradient, work);
      } else {
        loss = steps.lossGradient(theta, i, gradient); // the steps draw their own base draws
      }
      int bad = firstNonFinite(gradient);
      // PyMC3 stops only on a NaN loss and keeps infinite ones; flowc stops on both: an infinite
      // loss means a draw where log p is -inf (or +inf), and its gradient says nothing about that
      if (!Double.isFinite(loss) || bad >= 0) {
        String what = !Double.isFinite(loss) ? "the loss is " + loss : "the gradient with respect to "
            + layout.elementNames().get(bad) + " is " + gradient[bad];
        return new Fit(theta, Arrays.copyOf(history, done), Fit.Status.NOT_FINITE, i + 1,
            what + " at iteration " + (i + 1) + "; the parameters are those before it",
            firstRejectedDraw(theta, steps == null ? eps : steps.draws(i), settings.nmc()));
      }
      if (batches != null) {
        for (int k = 0; k < p; k++) {
          gradient[k] *= normalizer;
        }
      }
      double[] step = gradient;
      if (settings.totalGradNormConstraint() < Settings.NO_CLIPPING) {
        GradientClipping.totalNormConstraint(gradient, settings.totalGradNormConstraint(), clipped);
        step = clipped;
      }
      if (settings.decay() < 1) {
        System.arraycopy(theta, 0, before, 0, p);
      }
      settings.optimizer().step(theta, step, state);
      if (settings.decay() < 1) {
        double f = settings.decayAt(i);
        for (int k = 0; k < p; k++) {
          theta[k] = before[k] + f * (theta[k] - before[k]);
        }
      }
      mean.add(i, theta);
      history[i] = loss;
      done = i + 1;
      String stop = null;
      for (FitCallback callback : settings.callbacks()) {
        stop = callback.afterStep(progress(i + 1, theta, history, fresh));
        if (stop != null) {
          break;
        }
      }
      if (stop != null) {
        // as PyMC3: the loss of the step during which the stop happened is dropped
        return new Fit(mean.result(theta), Arrays.copyOf(history, i), Fit.Status.INTERRUPTED, i, stop);
      }
    }
    return new Fit(mean.result(theta), history, Fit.Status.FINISHED, settings.iterations(), "");
  }

  /**
   * The running sum of the iterates after the steps from {@code iterations - averageLast} on; a
   * fit stopped early by a callback averages those it reached (the last iterate if none).
   */
  private static final class IterateMean {
    private final int from;
    private final double[] sum;
    private int count;

    IterateMean(Settings settings, int parameters) {
      boolean on = settings.averageLast() > 0;
      from = on ? Math.max(0, settings.iterations() - settings.averageLast()) : Integer.MAX_VALUE;
      sum = on ? new double[parameters] : null;
    }

    void add(int iteration, double[] theta) {
      if (iteration >= from) {
        for (int k = 0; k < theta.length; k++) {
          sum[k] += theta[k];
        }
        count++;
      }
    }

    double[] result(double[] last) {
      if (count == 0) {
        return last;
      }
      double[] mean = new double[sum.length];
      for (int k = 0; k < sum.length; k++) {
        mean[k] = sum[k] / count;
      }
      return mean;
    }
  }

  /** The first of a step's draws where log p is NaN or infinite, or null (the flow itself overflowed). */
  private double[] firstRejectedDraw(double[] theta, double[] eps, int draws) {
    int d = kernel.dimension();
    double[] z = new double[draws * d];
    kernel.sample(theta, eps, draws, z, new double[draws], new double[kernel.workspaceSize()]);
    double[] work = new double[model.workspaceSize()];
    for (int s = 0; s < draws; s++) {
      double[] row = Arrays.copyOfRange(z, s * d, (s + 1) * d);
      if (!Double.isFinite(model.logDensity(row, work))) {
        return row;
      }
    }
    return null;
  }

  private static int firstNonFinite(double[] values) {
    // block by block, each a call: compiled by HotSpot within a fit's first steps (see Arguments.BLOCK)
    for (int from = 0; from < values.length; from += FINITE_BLOCK) {
      int bad = firstNonFinite(values, from, Math.min(values.length, from + FINITE_BLOCK));
      if (bad >= 0) {
        return bad;
      }
    }
    return -1;
  }

  private static final int FINITE_BLOCK = 512;

  private static int firstNonFinite(double[] values, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!Double.isFinite(values[i])) {
        return i;
      }
    }
    return -1;
  }

  private FitProgress progress(int iteration, double[] theta, double[] history, FreshGradients fresh) {
    return new FitProgress() {
      @Override
      public int iteration() {
        return iteration;
      }

      @Override
      public double[] parameters() {
        return theta;
      }

      @Override
      public double[] losses() {
        return Arrays.copyOf(history, iteration);
      }

      @Override
      public double[] freshGradient() {
        return fresh.at(theta, iteration);
      }
    };
  }

  /**
   * The one-draw gradients a tracker records, from streams of their own so that tracking leaves
   * the fit's bits alone. On batches: a batch drawn at random from a walk of its own, the
   * gradient divided by N/B as the optimizer sees it.
   */
  private final class FreshGradients {
    private final long seed;
    private DataBinding.Batches.Walk walk;

    FreshGradients(long seed) {
      this.seed = seed;
    }

    double[] at(double[] theta, int iteration) {
      long stream = Draws.TRACKER - 4L * iteration;
      double[] eps = new double[kernel.dimension()];
      Draws.normals(seed, stream, eps, eps.length);
      double[] g = new double[kernel.parameterCount()];
      double[] work = new double[kernel.workspaceSize()];
      if (batches == null) {
        kernel.lossGradient(theta, eps, 1, g, work);
        return g;
      }
      if (walk == null) {
        walk = batches.newWalk();
      }
      walk.shuffle(Draws.rows(seed, stream));
      walk.next(work);
      kernel.lossGradient(theta, eps, 1, g, work);
      for (int k = 0; k < g.length; k++) {
        g[k] /= batches.scale();
      }
      return g;
    }
  }

  /** Draws from the fitted flow: z (n rows of d) and log q. */
  public record Sample(double[] z, double[] logq, int draws, int dimension) {
    public double[] row(int s) {
      return Arrays.copyOfRange(z, s * dimension, (s + 1) * dimension);
    }
  }

  public Sample sample(double[] theta, int draws, long seed, long stream) {
    int d = kernel.dimension();
    double[] eps = new double[draws * d];
    Draws.normals(seed, stream, eps, eps.length);
    double[] z = new double[draws * d];
    double[] logq = new double[draws];
    int chunks = Math.min(threads, draws / SAMPLE_CHUNK_DRAWS);
    if (chunks < 2) {
      kernel.sample(theta, eps, draws, z, logq, new double[kernel.workspaceSize()]);
    } else {
      sampleInChunks(theta, eps, draws, z, logq, chunks);
    }
    return new Sample(z, logq, draws, d);
  }

  /** Fewest draws per chunk of a sample split across threads: below it a chunk costs more to hand out than to draw. */
  private static final int SAMPLE_CHUNK_DRAWS = 4096;

  /**
   * The draws of {@link #sample} in {@code chunks} consecutive runs on as many threads: each draw's
   * z and log q depend on its own base draw only, so the bits are those of one call for any split
   * (the final loss's 100,000 draws of a neural fit take seconds on one thread).
   */
  private void sampleInChunks(double[] theta, double[] eps, int draws, double[] z, double[] logq, int chunks) {
    int d = kernel.dimension();
    try (ChunkCrew crew = new ChunkCrew(chunks, chunks, c -> {
      int first = chunkStart(draws, c, chunks);
      int count = chunkStart(draws, c + 1, chunks) - first;
      double[] chunkEps = Arrays.copyOfRange(eps, first * d, (first + count) * d);
      double[] chunkZ = new double[count * d];
      double[] chunkLogq = new double[count];
      kernel.sample(theta, chunkEps, count, chunkZ, chunkLogq, new double[kernel.workspaceSize()]);
      System.arraycopy(chunkZ, 0, z, first * d, count * d);
      System.arraycopy(chunkLogq, 0, logq, first, count);
    })) {
      crew.run();
    }
  }

  /** The first of chunk c's draws when {@code draws} are cut into {@code chunks} consecutive runs (c = chunks: the end). */
  private static int chunkStart(int draws, int c, int chunks) {
    return (int) ((long) draws * c / chunks);
  }

  /**
   * The loss on fresh draws: mean and standard error of log q(z) + U(z) (U = -log p), and the
   * log importance ratios log p(z) - log q(z) for diagnostics.
   */
  public record Evaluation(double finalLoss, double standardError, double[] logRatios) {

    /** Whether the final loss is a number: false if any draw's log ratio is NaN or infinite. */
    public boolean isFinite() {
      return Double.isFinite(finalLoss);
    }

    /**
     * Why the final loss is not finite, naming how many draws had a NaN or infinite log ratio
     * (a ratio of -Infinity is a draw where log p = -Infinity: outside the model's support); empty
     * when it is finite.
     */
    public String failure() {
      if (isFinite()) {
        return "";
      }
      List<String> counts = new ArrayList<>();
      count(counts, "-Infinity (a density of zero)", r -> r == Double.NEGATIVE_INFINITY);
      count(counts, "+Infinity", r -> r == Double.POSITIVE_INFINITY);
      count(counts, "NaN", Double::isNaN);
      String where = counts.isEmpty() ? String.format(Locale.ROOT, "over %,d fresh draws", logRatios.length)
          : String.format(Locale.ROOT, "log p(z) - log q(z) is %s of %,d fresh draws", String.join(", ", counts),
              logRatios.length);
      return "the final loss is " + finalLoss + ": " + where;
    }

    private void count(List<String> counts, String value, DoublePredicate is) {
      long n = Arrays.stream(logRatios).filter(is).count();
      if (n > 0) {
        counts.add(String.format(Locale.ROOT, "%s at %,d", value, n));
      }
    }
  }

  public Evaluation evaluate(double[] theta, int draws, long seed) {
    double[] losses = new double[draws];
    EvaluationBlocks blocks = new EvaluationBlocks(kernel, model, theta, seed, losses);
    int workers = Math.min(threads, draws / SAMPLE_CHUNK_DRAWS);
    if (workers < 2) {
      blocks.run();
    } else {
      // a model with data costs far more per draw than its flow (diamonds' final loss took 7.9 s
      // on one thread); the sums below add the draws in order, so the bits are those of one thread
      try (ChunkCrew crew = new ChunkCrew(workers, workers, c -> blocks.run())) {
        crew.run();
      }
    }
    double[] ratios = new double[draws];
    double sum = 0;
    double sumSquares = 0;
    for (int s = 0; s < draws; s++) {
      double loss = losses[s];
      ratios[s] = -loss;
      sum += loss;
      sumSquares += loss * loss;
    }
    double mean = sum / draws;
    double variance = draws > 1 ? Math.max(0, (sumSquares - draws * mean * mean) / (draws - 1)) : Double.NaN;
    return new Evaluation(mean, Math.sqrt(variance / draws), ratios);
  }
}
