package io.flowc.compiler.nuts;

import io.flowc.runtime.nuts.NutsSettings;
import org.junit.jupiter.api.Test;

/**
 * NUTS on posteriordb's gp_pois_regr (a Cholesky factor of a parameter-dependent 11 x 11 kernel
 * matrix in every gradient) against its reference draws, as {@link PosteriorDbTest} checks the
 * others: rho, alpha and the derived f = L f_tilde, means within 4 combined MCSE and sds within
 * 10 %. Target acceptance 0.99, as the reference run used (its f[6], f[7] correlate at 0.85).
 */
class PosteriorDbMatrixTest {

  @Test
  void gpPoisRegrAgreesWithTheReference() throws Exception {
    PosteriorDbTest.check("gp_pois_regr", "gp_pois_regr-gp_pois_regr", NutsSettings.defaults().withChains(4)
        .withTune(1000).withDraws(2000).withSeed(11).withThreads(2).withTargetAccept(0.99));
  }
}
