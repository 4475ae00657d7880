package io.flowc.runtime.calibration;

import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.many.DataSetInput;
import io.flowc.runtime.many.ManyFits;
import io.flowc.runtime.many.SetOutcome;
import io.flowc.runtime.many.SetResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Simulation-based calibration (Talts et al. 2018): S times, draw parameters from the prior and
 * data given them, fit the data, and rank each true parameter element among L posterior draws.
 *
 * <p>Simulation k is fitted as the data set with id {@code String.valueOf(k)} (so the fit's seed is
 * {@code ManyFits.seedOf(seed, "k")}, independent of the simulation's own stream); ties among the
 * draws are broken by {@code new SplittableRandom(ManyFits.seedOf(seed, "rank:" + k))}. Each
 * simulation's ranks depend only on k, so a run gives the same ranks for any thread count.
 *
 * <p>Markov chain draws are thinned by {@link Thinning} (about one draw per effective draw, at most
 * L); draws that are already independent (NFVI's) are used as they are, the first L of them. A
 * simulation that leaves fewer than L draws for an element has that rank carried to 0 .. L by
 * {@link Ranks#rescale}. A simulation whose simulator or fit fails is counted by its status and
 * left out of the ranks.
 */
public final class Sbc {
  /** Status of a simulation whose simulator failed (the fits' own statuses are {@link SetResult}'s). */
  public static final String SIMULATION_FAILED = "simulation_failed";

  /** How many failures are kept with their messages; the rest are only counted. */
  static final int FAILURES_KEPT = 20;

  private Sbc() {}

  /** One joint draw: the true parameters (constrained, by parameter name) and the data simulated with them. */
  public record Simulated(Map<String, DataSet.Value> parameters, DataSet data) {}

  /** Draws simulation k; may throw for a draw it cannot make (counted as {@link #SIMULATION_FAILED}). */
  @FunctionalInterface
  public interface Simulations {
    Simulated simulate(int k);
  }

  /** What to run. {@code markovChain}: the draws are a chain's, to be thinned by their ESS. */
  public record Settings(int sims, int draws, int threads, long seed, boolean markovChain) {
    public Settings {
      if (sims < 1 || draws < 1 || threads < 1) {
        throw new IllegalArgumentException("sims, draws and threads must be >= 1");
      }
    }
  }

  /**
   * Told after each simulation, from the thread that ran it, one call at a time: how many are done,
   * how many of those failed.
   */
  @FunctionalInterface
  public interface Progress {
    void simulated(int done, int failed);
  }

  /** A simulation left out, and why. */
  public record Failure(String id, String status, String message) {}

  /**
   * The run's result: per element its calibration over the simulations that succeeded.
   *
   * @param failures the first {@value #FAILURES_KEPT} failures with their messages
   * @param failureCounts failures by status
   * @param shortSimulations simulations in which some element had fewer than L thinned draws
   * @param divergences NUTS divergences after tuning, over every simulation that succeeded
   */
  public record Report(Settings settings, List<String> elementNames, List<Calibration> elements, int succeeded,
      Map<String, Integer> failureCounts, List<Failure> failures, int shortSimulations, long divergences,
      double seconds) {
    public int failed() {
      return settings.sims() - succeeded;
    }
  }

  /** One simulation's ranks (null if it failed) and what else it reports. */
  private record Outcome(int[] ranks, Failure failure, boolean shortDraws, int divergences) {}

  /**
   * Runs the simulations on {@code settings.threads()} threads.
   *
   * @param elementNames the model's parameter elements, as the fits name them
   * @param fit the fit of one data set, normally {@link ManyFits#fitWithDraws}
   */
  public static Report run(Settings settings, List<String> elementNames, Simulations simulations,
      Function<DataSetInput, SetOutcome> fit) throws InterruptedException {
    return run(settings, elementNames, simulations, fit, (done, failed) -> { });
  }

  /** As above, telling {@code progress} of each simulation done. */
  public static Report run(Settings settings, List<String> elementNames, Simulations simulations,
      Function<DataSetInput, SetOutcome> fit, Progress progress) throws InterruptedException {
    long start = System.nanoTime();
    Outcome[] outcomes = new Outcome[settings.sims()];
    AtomicInteger next = new AtomicInteger();
    // done and failed, counted together under the lock so that each report is consistent
    int[] counts = new int[2];
    AtomicReference<Throwable> crash = new AtomicReference<>();
    Runnable worker = () -> {
      for (int k = next.getAndIncrement(); k < outcomes.length && crash.get() == null; k = next.getAndIncrement()) {
        try {
          outcomes[k] = one(k, settings, elementNames, simulations, fit);
          synchronized (counts) {
            counts[0]++;
            counts[1] += outcomes[k].ranks() == null ? 1 : 0;
            progress.simulated(counts[0], counts[1]);
          }
        } catch (RuntimeException | Error e) {
          crash.compareAndSet(null, e);
        }
      }
    };
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < Math.min(settings.threads(), settings.sims()); t++) {
      Thread thread = new Thread(worker, "sbc-" + t);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    try {
      for (Thread thread : threads) {
        thread.join();
      }
    } catch (InterruptedException e) {
      next.set(outcomes.length);
      throw e;
    }
    if (crash.get() instanceof RuntimeException e) {
      throw e;
    } else if (crash.get() instanceof Error e) {
      throw e;
    }
    return report(settings, elementNames, outcomes, (System.nanoTime() - start) / 1e9);
  }

  private static Report report(Settings settings, List<String> elementNames, Outcome[] outcomes, double seconds) {
    List<int[]> succeeded = new ArrayList<>();
    Map<String, Integer> counts = new TreeMap<>();
    List<Failure> failures = new ArrayList<>();
    int shortSims = 0;
    long divergences = 0;
    for (Outcome o : outcomes) {
      if (o.ranks() == null) {
        counts.merge(o.failure().status(), 1, Integer::sum);
        if (failures.size() < FAILURES_KEPT) {
          failures.add(o.failure());
        }
      } else {
        succeeded.add(o.ranks());
        shortSims += o.shortDraws() ? 1 : 0;
        divergences += o.divergences();
      }
    }
    List<Calibration> elements = new ArrayList<>();
    if (!succeeded.isEmpty()) {
      EcdfBand band = EcdfBand.of(succeeded.size(), settings.draws());
      for (int j = 0; j < elementNames.size(); j++) {
        int[] ranks = new int[succeeded.size()];
        for (int k = 0; k < ranks.length; k++) {
          ranks[k] = succeeded.get(k)[j];
        }
        elements.add(Calibration.of(elementNames.get(j), ranks, settings.draws(), band));
      }
    }
    return new Report(settings, List.copyOf(elementNames), elements, succeeded.size(), counts, failures, shortSims,
        divergences, seconds);
  }

  private static Outcome one(int k, Settings settings, List<String> elementNames, Simulations simulations,
      Function<DataSetInput, SetOutcome> fit) {
    String id = String.valueOf(k);
    Simulated simulated;
    try {
      simulated = simulations.simulate(k);
    } catch (RuntimeException e) {
      return new Outcome(null, new Failure(id, SIMULATION_FAILED, String.valueOf(e.getMessage())), false, 0);
    }
    double[] truth = truth(simulated.parameters(), elementNames);
    SetOutcome outcome = fit.apply(new DataSetInput(id, simulated.data()));
    SetResult result = outcome.result();
    if (!result.ok()) {
      return new Outcome(null, new Failure(id, result.status(), result.message()), false, 0);
    }
    if (!outcome.elementNames().equals(elementNames)) {
      throw new IllegalStateException("the fit of simulation " + k + " has elements " + outcome.elementNames()
          + ", not " + elementNames);
    }
    SplittableRandom random = new SplittableRandom(ManyFits.seedOf(settings.seed(), "rank:" + k));
    int l = settings.draws();
    int[] ranks = new int[truth.length];
    boolean shortDraws = false;
    for (int j = 0; j < truth.length; j++) {
      double[] all = outcome.draws()[j];
      double[] used = settings.markovChain() ? Thinning.thin(all, outcome.essBulk()[j], l)
          : Arrays.copyOf(all, Math.min(l, all.length));
      shortDraws |= used.length < l;
      ranks[j] = Ranks.rescale(Ranks.rank(truth[j], used, random), used.length, l, random);
    }
    return new Outcome(ranks, null, shortDraws, result.divergences());
  }

  /** The true values in element order: a scalar parameter is its element, a vector's {@code name[i]} its i-th. */
  static double[] truth(Map<String, DataSet.Value> parameters, List<String> elementNames) {
    Map<String, Double> byElement = new LinkedHashMap<>();
    parameters.forEach((name, value) -> {
      double[] v = value.elements();
      if (value.dims().length == 0) {
        byElement.put(name, v[0]);
      } else {
        for (int i = 0; i < v.length; i++) {
          byElement.put(name + "[" + i + "]", v[i]);
        }
      }
    });
    double[] truth = new double[elementNames.size()];
    for (int j = 0; j < truth.length; j++) {
      Double value = byElement.get(elementNames.get(j));
      if (value == null) {
        throw new IllegalStateException("the simulation has no true value of " + elementNames.get(j) + ", only of "
            + byElement.keySet());
      }
      truth[j] = value;
    }
    return truth;
  }
}
