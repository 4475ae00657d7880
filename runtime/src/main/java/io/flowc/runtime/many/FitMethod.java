package io.flowc.runtime.many;

import io.flowc.runtime.nuts.NutsSettings;
import java.util.Objects;

/** What to run on every data set. */
public sealed interface FitMethod {
  /**
   * NFVI with a formula compiled into the model (normalized, as {@code Artifact.formulas()} lists
   * it); {@code restarts >= 1}, the best that succeeds is kept as {@code flowc fit --restarts}
   * keeps it; {@code draws} posterior draws from the fitted flow make the summaries.
   * {@code settings.seed()} is replaced per data set (and per restart); its callbacks run on the
   * fitting threads, so they must be thread-safe.
   */
  record Nfvi(String formula, io.flowc.runtime.nfvi.Nfvi.Settings settings, int restarts, int draws)
      implements FitMethod {
    public Nfvi {
      Objects.requireNonNull(formula, "formula");
      Objects.requireNonNull(settings, "settings");
      if (restarts < 1 || draws < 1) {
        throw new IllegalArgumentException("restarts and draws must be >= 1");
      }
    }
  }

  /** NUTS; settings.threads() is ignored (one thread per data set), settings.seed() is replaced per data set. */
  record Nuts(NutsSettings settings) implements FitMethod {
    public Nuts {
      Objects.requireNonNull(settings, "settings");
    }
  }
}
