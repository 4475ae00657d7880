package io.flowc.compiler.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flowc.compiler.driver.Compilation;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.runtime.MathFunctions;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sampling from compiled flows against closed forms of the affine flows. */
class FlowSamplingTest {

  private static double logNormal(double[] eps, int from, int d) {
    double s = 0;
    for (int j = 0; j < d; j++) {
      s += -0.5 * eps[from + j] * eps[from + j];
    }
    return s - 0.5 * d * Math.log(2 * Math.PI);
  }

  @Test
  void scaleThenLocIsAnAffineMapWithItsDensity() throws Exception {
    CheckedModel model = ElboGradientTest.smooth(3);
    FlowKernel flow = Compilation.loadFlow(model, FlowFormulaParsing.parse("scale-loc"));
    FlowLayout layout = FlowLayout.ofFlows(FlowFormulaParsing.parse("scale-loc").flows(), 3);
    double[] theta = layout.initialParameters(1.0, 4);
    int rho = layout.slot(0, "rho").offset();
    int loc = layout.slot(1, "loc").offset();
    Random random = new Random(2);
    int draws = 50;
    double[] eps = new double[draws * 3];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = random.nextGaussian();
    }
    double[] z = new double[draws * 3];
    double[] logq = new double[draws];
    flow.sample(theta, eps, draws, z, logq, new double[flow.workspaceSize()]);
    for (int s = 0; s < draws; s++) {
      double logDet = 0;
      for (int j = 0; j < 3; j++) {
        double sigma = MathFunctions.softplus(theta[rho + j]);
        logDet += Math.log(sigma);
        assertEquals(theta[loc + j] + sigma * eps[3 * s + j], z[3 * s + j], 1e-13, "z");
      }
      assertEquals(logNormal(eps, 3 * s, 3) - logDet, logq[s], 1e-12, "log q");
    }
    // the mean loss is the mean of log q - log p over the same draws
    double[] gradient = new double[theta.length];
    double loss = flow.lossGradient(theta, eps, draws, gradient, new double[flow.workspaceSize()]);
    io.flowc.compiler.interp.Interpreter interpreter = new io.flowc.compiler.interp.Interpreter(model);
    double expected = 0;
    for (int s = 0; s < draws; s++) {
      expected += (logq[s] + interpreter.potential(java.util.Arrays.copyOfRange(z, 3 * s, 3 * s + 3))) / draws;
    }
    assertEquals(expected, loss, 1e-12 * Math.abs(expected));
  }
}
