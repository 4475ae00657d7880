package io.flowc.compiler.nfvi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.laplace.LaplaceApproximation;
import io.flowc.runtime.laplace.LaplaceStart;
import io.flowc.runtime.nfvi.Fit;
import io.flowc.runtime.nfvi.Nfvi;
import org.junit.jupiter.api.Test;

/**
 * The Laplace start on a model whose posterior is Gaussian (NfviTest's correlated 5-d normal, written
 * in the language): the approximation is the posterior, so with jitter 0 the compiled flow's q at
 * the start is p normalized: the loss at step 0 is -log Z at every draw, and the flow's draws have
 * the model's mean and covariance.
 */
class LaplaceStartFitTest {
  static final double[][] L = NfviTest.CORR5_L;
  static final double[] MEAN = {1, -1, 0.5, 2, 0};
  /** log Z = log((2 pi)^(5/2) det L). */
  static final double LOG_Z = 2.5 * Math.log(2 * Math.PI) + Math.log(0.6 * 0.7 * 1.2 * 0.5);

  @Test
  void theLossAtTheStartIsMinusLogZAtEveryDraw() throws Exception {
    CheckedModel model = NfviTest.corr5();
    LaplaceApproximation laplace = LaplaceApproximation.of(Compilation.load(model));
    assertArrayEquals(MEAN, laplace.mode(), 1e-8);
    for (String flow : new String[] {"scale-hh*4-loc", "scale-hh*7-loc", "realnvp*2-iaf-scale-hh*5-loc"}) {
      Nfvi nfvi = NfviTest.nfvi(model, flow);
      FlowLayout layout = nfvi.layout();
      double[] start = LaplaceStart.of(layout, flow).parameters(laplace, 0.0, 5);
      Fit fit = nfvi.fit(NfviTest.settings(1, "adam", 0.001, 64, 0.0, 5), start);
      assertEquals(-LOG_Z, fit.history()[0], 1e-6, flow + ": the first step's loss");
      Nfvi.Evaluation e = nfvi.evaluate(start, 2000, 5);
      assertEquals(-LOG_Z, e.finalLoss(), 1e-6, flow);
      assertTrue(e.standardError() < 1e-7, flow + ": log q - log p varies: " + e.standardError());
    }
  }

  @Test
  void theFlowsDrawsHaveTheModelsMeanAndCovariance() throws Exception {
    CheckedModel model = NfviTest.corr5();
    String flow = "iaf-scale-hh*4-loc";
    Nfvi nfvi = NfviTest.nfvi(model, flow);
    double[] start = LaplaceStart.of(nfvi.layout(), flow).parameters(LaplaceApproximation.of(Compilation.load(model)),
        0.0, 2);
    Nfvi.Sample sample = nfvi.sample(start, 40_000, 2, 7);
    int n = sample.draws();
    double[] mean = new double[5];
    for (int s = 0; s < n; s++) {
      for (int i = 0; i < 5; i++) {
        mean[i] += sample.z()[5 * s + i] / n;
      }
    }
    // standard errors of a mean: sd / 200 <= 0.01
    assertArrayEquals(MEAN, mean, 0.04);
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 5; j++) {
        double c = 0;
        for (int s = 0; s < n; s++) {
          c += (sample.z()[5 * s + i] - mean[i]) * (sample.z()[5 * s + j] - mean[j]);
        }
        c /= n - 1;
        double sigma = 0;
        double si = 0;
        double sj = 0;
        for (int k = 0; k < 5; k++) {
          sigma += L[i][k] * L[j][k];
          si += L[i][k] * L[i][k];
          sj += L[j][k] * L[j][k];
        }
        // four standard errors of a covariance, at most sqrt(2 si sj / n)
        assertEquals(sigma, c, 4 * Math.sqrt(2 * si * sj / n), "covariance [" + i + "][" + j + "]");
      }
    }
  }
}
