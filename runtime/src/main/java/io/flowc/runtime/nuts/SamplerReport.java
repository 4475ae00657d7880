package io.flowc.runtime.nuts;

import io.flowc.runtime.nfvi.PyFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.numbers.gamma.RegularizedBeta;

/** The lines PyMC3 3.9's {@code pm.sample} logs around NUTS, worded as PyMC3 words them. */
public final class SamplerReport {
  /** More than this share of draws at the maximum tree depth draws a warning. */
  static final double TREE_DEPTH_SHARE = 0.05;

  private SamplerReport() {}

  /** "Multiprocess sampling (4 chains in 2 jobs)", or sequential with one job. */
  public static String jobsLine(int chains, int jobs) {
    return jobs > 1 && chains > 1
        ? "Multiprocess sampling (" + chains + " chains in " + jobs + " jobs)"
        : "Sequential sampling (" + chains + " chain" + (chains > 1 ? "s" : "") + " in 1 job)";
  }

  /**
   * "Sampling 4 chains for 1_000 tune and 1_000 draw iterations (4_000 + 4_000 draws total)
   * took 1 seconds."
   */
  public static String samplingLine(int chains, int tune, int draws, double seconds) {
    return "Sampling " + chains + " chain" + (chains > 1 ? "s" : "") + " for " + PyFormat.underscores(tune)
        + " tune and " + PyFormat.underscores(draws) + " draw iterations (" + PyFormat.underscores((long) tune * chains)
        + " + " + PyFormat.underscores((long) draws * chains) + " draws total) took "
        + String.format(Locale.ROOT, "%.0f", Math.rint(seconds)) + " seconds.";
  }

  /**
   * A chain's warnings in PyMC3's order: divergences after tuning, an acceptance statistic that
   * does not match the target, and trajectories saturating the tree depth.
   */
  public static List<String> chainWarnings(ChainStats stats, double targetAccept) {
    List<String> lines = new ArrayList<>();
    int draws = stats.draws();
    int divergences = stats.divergences();
    if (divergences > 0 && divergences == draws) {
      lines.add("The chain contains only diverging samples. The model is probably misspecified.");
    } else if (divergences == 1) {
      lines.add("There was 1 divergence after tuning. Increase `target_accept` or reparameterize.");
    } else if (divergences > 1) {
      lines.add("There were " + divergences + " divergences after tuning. Increase `target_accept` or reparameterize.");
    }
    if (draws > 0) {
      double accept = stats.meanAcceptance();
      if (!acceptanceMatches(accept, draws, targetAccept)) {
        lines.add("The acceptance probability does not match the target. It is " + PyFormat.repr(accept)
            + ", but should be close to " + PyFormat.repr(targetAccept) + ". Try to increase the number of tuning steps.");
      }
      if (stats.maxTreeDepthHits() > TREE_DEPTH_SHARE * draws) {
        lines.add("The chain reached the maximum tree depth. Increase max_treedepth, increase target_accept or "
            + "reparameterize.");
      }
    }
    return lines;
  }

  /**
   * PyMC3's rule: the target lies in the central 95 % interval of Beta(a N + 1, (1 - a) N + 1)
   * with a the mean acceptance statistic and N = min(100, draws).
   */
  static boolean acceptanceMatches(double meanAccept, int draws, double target) {
    double n = Math.min(100, draws);
    double alpha = meanAccept * n + 1;
    double beta = (1 - meanAccept) * n + 1;
    return target >= betaQuantile(0.025, alpha, beta) && target <= betaQuantile(0.975, alpha, beta);
  }

  /** The p-quantile of Beta(a, b), by bisection on the regularized incomplete beta function. */
  static double betaQuantile(double p, double a, double b) {
    double lo = 0;
    double hi = 1;
    for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
      double mid = 0.5 * (lo + hi);
      if (RegularizedBeta.value(mid, a, b) < p) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return 0.5 * (lo + hi);
  }
}
