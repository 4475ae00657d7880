package io.flowc.runtime.nuts;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.WorkFailures;
import io.flowc.runtime.data.RowChunks;
import io.flowc.runtime.nfvi.Draws;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;

/**
 * The No-U-Turn Sampler as PyMC3 3.9's {@code pm.sample} runs it with {@code init='auto'}
 * (jitter+adapt_diag): multinomial NUTS with the generalized U-turn criterion, dual-averaging
 * step size and windowed diagonal mass-matrix adaptation during tuning, tuning draws
 * discarded.
 *
 * <p>Chains run in parallel; each draws from its own stream of the seed, so the draws are the
 * same bits whatever the number of threads.
 */
public final class Nuts {
  private Nuts() {}

  public static NutsResult sample(LogDensity density, NutsSettings settings) {
    return sample(density, settings, null);
  }

  /**
   * Samples {@code settings.chains()} chains.
   *
   * @param progress told after every iteration (may be null)
   * @throws SamplingException if a chain cannot start (log density not finite at its start)
   * @throws ImproperPosteriorException if a chain runs off to infinity (after every chain has ended)
   */
  public static NutsResult sample(LogDensity density, NutsSettings settings, NutsProgress progress) {
    return sample(density.dimension(), () -> density, settings, progress);
  }

  /**
   * As {@link #sample(LogDensity, NutsSettings, NutsProgress)}, each chain's log density and
   * gradient summed over {@code chunks} of rows on {@code gradientThreads} threads of its own:
   * the draws are the same for any number of threads (of either kind).
   */
  public static NutsResult sample(RowChunks chunks, int gradientThreads, NutsSettings settings,
      NutsProgress progress) {
    return sample(chunks, gradientThreads, UnaryOperator.identity(), settings, progress);
  }

  /** As above, each chain's lane seen through {@code around} (e.g. {@link io.flowc.runtime.Rejections#around}). */
  public static NutsResult sample(RowChunks chunks, int gradientThreads, UnaryOperator<LogDensity> around,
      NutsSettings settings, NutsProgress progress) {
    return sample(chunks.dimension(), new ChainDensity() {
      @Override
      public LogDensity open() {
        return chunks.lane(gradientThreads);
      }

      @Override
      public LogDensity around(LogDensity density) {
        return around.apply(density);
      }
    }, settings, progress);
  }

  /**
   * Where a chain gets its log density, on the thread that runs it (a lane of row chunks makes its
   * crew for that thread, and is closed after the chain).
   */
  private interface ChainDensity {
    LogDensity open();

    default LogDensity around(LogDensity density) {
      return density;
    }
  }

  private static NutsResult sample(int n, ChainDensity density, NutsSettings settings, NutsProgress progress) {
    long began = System.nanoTime();
    if (settings.starts() != null) {
      for (double[] s : settings.starts()) {
        if (s.length != n) {
          throw new IllegalArgumentException("a starting point has " + s.length + " elements; the model has " + n);
        }
      }
    }
    double[][] jittered = jitteredStarts(settings.seed(), settings.chains(), n);
    double[] adaptationMean = mean(jittered, n);
    int chains = settings.chains();
    List<NutsChain.Output> outputs = new ArrayList<>();
    int threads = Math.min(settings.threads(), chains);
    if (threads == 1) {
      for (int c = 0; c < chains; c++) {
        outputs.add(runChain(density, settings, c, jittered[c], adaptationMean, progress));
      }
    } else {
      ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "nuts-chain");
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<NutsChain.Output>> futures = new ArrayList<>();
        for (int c = 0; c < chains; c++) {
          int chain = c;
          futures.add(pool.submit(() -> runChain(density, settings, chain, jittered[chain], adaptationMean, progress)));
        }
        for (Future<NutsChain.Output> f : futures) {
          outputs.add(f.get());
        }
      } catch (ExecutionException e) {
        throw WorkFailures.cause(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while sampling", e);
      } finally {
        pool.shutdownNow();
      }
    }
    double[][][] draws = new double[chains][][];
    List<ChainStats> stats = new ArrayList<>();
    for (int c = 0; c < chains; c++) {
      draws[c] = outputs.get(c).draws();
      stats.add(outputs.get(c).stats());
    }
    for (NutsChain.Output o : outputs) {
      if (o.runaway() != null) {
        throw new ImproperPosteriorException(o.runaway(), settings.tune(), draws, stats);
      }
    }
    return new NutsResult(draws, stats, settings, (System.nanoTime() - began) / 1e9);
  }

  /** The step size a chain starts tuning from: PyMC3's step_scale / d^(1/4). */
  public static double initialStepSize(int dimension) {
    return NutsChain.STEP_SCALE / Math.pow(dimension, 0.25);
  }

  private static NutsChain.Output runChain(ChainDensity densities, NutsSettings settings, int chain, double[] jittered,
      double[] adaptationMean, NutsProgress progress) {
    double[] given = settings.start(chain);
    LogDensity density = densities.open();
    try {
      return NutsChain.run(densities.around(density), settings, chain, given != null ? given : jittered, adaptationMean, progress);
    } finally {
      if (density instanceof RowChunks.Lane lane) {
        lane.close();
      }
    }
  }

  /**
   * PyMC3's jitter+adapt_diag starts: the model's test point (the origin here) plus uniform(-1, 1)
   * noise on every element, chain after chain. They are drawn even when the user gives starting
   * points, because their mean is the mass-matrix adaptation's prior mean either way.
   */
  static double[][] jitteredStarts(long seed, int chains, int n) {
    SplittableRandom random = new SplittableRandom(Draws.streamSeed(seed, Draws.NUTS_JITTER));
    double[][] starts = new double[chains][n];
    for (double[] start : starts) {
      for (int i = 0; i < n; i++) {
        start[i] = 2 * random.nextDouble() - 1;
      }
    }
    return starts;
  }

  private static double[] mean(double[][] points, int n) {
    double[] m = new double[n];
    for (double[] p : points) {
      for (int i = 0; i < n; i++) {
        m[i] += p[i];
      }
    }
    for (int i = 0; i < n; i++) {
      m[i] /= points.length;
    }
    return m;
  }
}
