package io.flowc.compiler.nuts;

import io.flowc.runtime.nuts.NutsSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * NUTS on posteriordb's time series, whose models are loops over t (docs/language.md, "Loops over
 * time"), against the reference draws as {@link PosteriorDbTest} checks the others: every
 * parameter's mean within 4 combined Monte Carlo standard errors and its sd within 10 %, with
 * the reference runs' target acceptance (0.8).
 */
class PosteriorDbRecursionTest {

  @ParameterizedTest
  @CsvSource({
      "arK, arK-arK",
      "arma11, arma-arma11",
      "garch11, garch-garch11"})
  void meansAndSdsAgreeWithTheReference(String example, String posterior) throws Exception {
    PosteriorDbTest.check(example, posterior, NutsSettings.defaults().withChains(4).withTune(1000).withDraws(2000)
        .withSeed(11).withThreads(2).withTargetAccept(0.8));
  }
}
