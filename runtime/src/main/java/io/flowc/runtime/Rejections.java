package io.flowc.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A log density that counts the points where it is NaN or -infinity because an argument is
 * outside its domain, as Stan's "Informational Message"s do: the density itself is called as
 * is, and only a point whose value is not finite is handed to an {@link Explainer}, so valid
 * points cost one comparison.
 *
 * <p>Safe for concurrent chains: the explainer is called under this object's lock.
 */
public final class Rejections implements LogDensity {
  /** Says why the density is not finite at z (unconstrained scale), or returns null if it cannot. */
  public interface Explainer {
    Reason explain(double[] z);
  }

  /** Why a point was rejected: {@code kind} groups the same cause at different values. */
  public record Reason(String kind, String message) {}

  /** The points rejected for one cause, and the message at one of them. */
  public record Count(String message, long count) {}

  private final LogDensity density;
  private final Explainer explainer;
  private final Map<String, Tally> tallies = new HashMap<>();

  /**
   * A cause's count and the message at its smallest point (in {@link Arrays#compare} order):
   * chains run in parallel, so the first point met would depend on the threads' timing.
   */
  private static final class Tally {
    long count;
    double[] point;
    String message;
  }

  public Rejections(LogDensity density, Explainer explainer) {
    this.density = density;
    this.explainer = explainer;
  }

  @Override
  public int dimension() {
    return density.dimension();
  }

  @Override
  public int workspaceSize() {
    return density.workspaceSize();
  }

  @Override
  public int workspaceSize(double[] data) {
    return density.workspaceSize(data);
  }

  @Override
  public double logDensity(double[] z, double[] workspace) {
    double value = density.logDensity(z, workspace);
    if (!(value > Double.NEGATIVE_INFINITY)) {
      record(z);
    }
    return value;
  }

  @Override
  public double logDensityGradient(double[] z, double[] gradient, double[] workspace) {
    double value = density.logDensityGradient(z, gradient, workspace);
    if (!(value > Double.NEGATIVE_INFINITY)) {
      record(z);
    }
    return value;
  }

  /**
   * {@code other} (the same log density, e.g. one chain's lane of {@link io.flowc.runtime.data.RowChunks})
   * counting its rejections here.
   */
  public LogDensity around(LogDensity other) {
    return new LogDensity() {
      @Override
      public int dimension() {
        return other.dimension();
      }

      @Override
      public int workspaceSize() {
        return other.workspaceSize();
      }

      @Override
      public double logDensity(double[] z, double[] workspace) {
        double value = other.logDensity(z, workspace);
        if (!(value > Double.NEGATIVE_INFINITY)) {
          record(z);
        }
        return value;
      }

      @Override
      public double logDensityGradient(double[] z, double[] gradient, double[] workspace) {
        double value = other.logDensityGradient(z, gradient, workspace);
        if (!(value > Double.NEGATIVE_INFINITY)) {
          record(z);
        }
        return value;
      }
    };
  }

  /** The reason at z, without counting it (for a failure message). */
  public synchronized Reason explain(double[] z) {
    return explainer.explain(z.clone());
  }

  private synchronized void record(double[] z) {
    Reason reason = explainer.explain(z.clone());
    if (reason != null) {
      Tally t = tallies.computeIfAbsent(reason.kind(), k -> new Tally());
      t.count++;
      if (t.point == null || Arrays.compare(z, t.point) < 0) {
        t.point = z.clone();
        t.message = reason.message();
      }
    }
  }

  /** The counts by cause, the most frequent first (the same whatever the number of threads). */
  public synchronized List<Count> counts() {
    List<Count> list = new ArrayList<>();
    tallies.values().forEach(t -> list.add(new Count(t.message, t.count)));
    list.sort(Comparator.comparingLong(Count::count).reversed().thenComparing(Count::message));
    return list;
  }
}
