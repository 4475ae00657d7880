package io.flowc.compiler.nfvi;

import io.flowc.compiler.TestPaths;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.testing.PosteriorDbQuantities;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.optim.Optimizers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NFVI on posteriordb's gp_pois_regr, as {@link PosteriorDbNfviTest} fits the others. From the usual
 * start the jittered flows draw kernels and latent values whose Poisson terms overflow (final loss
 * 1e31 with scale-hh*12-loc), so the fit starts from the Laplace approximation (mode at log p =
 * -41.5). The affine flow then keeps rho's and alpha's sd at about 0.4 of the reference (a Gaussian
 * cannot follow how f_tilde's spread changes with them), and alpha, right-skewed, sits about 0.2
 * sd below its mean: the Pareto k must flag the fit (0.94 here; 0.84-0.89 with `flowc fit --init
 * laplace` and decaying steps, also with planar*8 in front). The means are within 0.25 reference sd
 * all the same (0.22 for alpha, at most 0.17 for the others, measured).
 */
class PosteriorDbMatrixNfviTest {

  @Test
  void gpPoisRegrFromTheLaplaceStartIsFlagged() throws Exception {
    CheckedModel model = TestPaths.checkExample(TestPaths.example("gp_pois_regr"));
    Nfvi.Settings settings = new Nfvi.Settings(10_000, Optimizers.byName("adam", 0.002), 10, 0, 3,
        Nfvi.Settings.NO_CLIPPING, List.of());
    PosteriorDbNfviTest.checkFit(model, "gp_pois_regr-gp_pois_regr", "scale-hh*12-loc", settings, 0.25, Double.NaN,
        PosteriorDbQuantities::quantity, true);
  }
}
