package io.flowc.bench.baseline;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.MathFunctions;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowLayout;
import java.util.Collections;

/**
 * Workload W1's kernel written by hand: the NFVI loss of pot1 under K planar flows and its
 * gradient, with the closed-form backward pass of the spec (section 2.8), u-hat computed once per
 * call and its adjoint summed over draws, as a careful person would write it. Theta is laid out
 * as {@link FlowLayout} says, so generated and hand-written kernels take the same arguments.
 */
public final class HandWrittenPlanarPot1 implements FlowKernel {
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
  private final int flows;
  // where each flow's b, u and w lie in theta (the batch-major variant shares them)
  final int[] bOffset;
  final int[] uOffset;
  final int[] wOffset;
  private final int parameterCount;
  private final LogDensity pot1 = HandWritten.of("pot1");

  public HandWrittenPlanarPot1(int flows) {
    this.flows = flows;
    FlowLayout layout = FlowLayout.of(Collections.nCopies(flows, FlowKind.PLANAR), 2);
    bOffset = new int[flows];
    uOffset = new int[flows];
    wOffset = new int[flows];
    for (int k = 0; k < flows; k++) {
      bOffset[k] = layout.slot(k, "b").offset();
      uOffset[k] = layout.slot(k, "u").offset();
      wOffset[k] = layout.slot(k, "w").offset();
    }
    parameterCount = layout.parameterCount();
  }

  @Override
  public int dimension() {
    return 2;
  }

  @Override
  public int parameterCount() {
    return parameterCount;
  }

  /** Per flow: u-hat (2), c, kappa, m, n, rho; then per flow z_k (2), t; then adjoint sums (4 per flow). */
  @Override
  public int workspaceSize() {
    return 7 * flows + 3 * (flows + 1) + 4 * flows;
  }

  /** u-hat and its by-products per flow into {@code w[7k .. 7k + 7)}, once per call. */
  void prologue(double[] theta, double[] w) {
    for (int k = 0; k < flows; k++) {
      double u0 = theta[uOffset[k]];
      double u1 = theta[uOffset[k] + 1];
      double w0 = theta[wOffset[k]];
      double w1 = theta[wOffset[k] + 1];
      double kappa = w0 * u0 + w1 * u1;
      double m = MathFunctions.softplus(kappa) - 1;
      double n = w0 * w0 + w1 * w1 + 1e-10;
      double rho = (m - kappa) / n;
      double uh0 = u0 + rho * w0;
      double uh1 = u1 + rho * w1;
      int p = 7 * k;
      w[p] = uh0;
      w[p + 1] = uh1;
      w[p + 2] = w0 * uh0 + w1 * uh1;
      w[p + 3] = kappa;
      w[p + 4] = m;
      w[p + 5] = n;
      w[p + 6] = rho;
    }
  }

  @Override
  public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] w) {
    prologue(theta, w);
    int zBase = 7 * flows;
    int sums = zBase + 3 * (flows + 1);
    java.util.Arrays.fill(w, sums, sums + 4 * flows, 0.0);
    java.util.Arrays.fill(gradient, 0.0);
    double loss = 0;
    for (int s = 0; s < draws; s++) {
      double z0 = eps[2 * s];
      double z1 = eps[2 * s + 1];
      double logq = -0.5 * (z0 * z0 + z1 * z1) - 2 * HALF_LOG_TWO_PI;
      for (int k = 0; k < flows; k++) {
        int p = 7 * k;
        double wk0 = theta[wOffset[k]];
        double wk1 = theta[wOffset[k] + 1];
        double t = MathFunctions.tanh(wk0 * z0 + wk1 * z1 + theta[bOffset[k]]);
        int zk = zBase + 3 * k;
        w[zk] = z0;
        w[zk + 1] = z1;
        w[zk + 2] = t;
        logq -= Math.log(Math.abs(1 + (1 - t * t) * w[p + 2]));
        z0 += w[p] * t;
        z1 += w[p + 1] * t;
      }
      // d loss / d z_K = grad U = -grad log p
      point[0] = z0;
      point[1] = z1;
      double logp = pot1.logDensityGradient(point, gradientScratch, null);
      double g0 = -gradientScratch[0];
      double g1 = -gradientScratch[1];
      loss += logq - logp;
      for (int k = flows - 1; k >= 0; k--) {
        int p = 7 * k;
        int zk = zBase + 3 * k;
        double zi0 = w[zk];
        double zi1 = w[zk + 1];
        double t = w[zk + 2];
        double sl = 1 - t * t;
        double d = 1 + sl * w[p + 2];
        double wk0 = theta[wOffset[k]];
        double wk1 = theta[wOffset[k] + 1];
        double gu0 = t * g0 - sl / d * wk0;
        double gu1 = t * g1 - sl / d * wk1;
        double ga = sl * (g0 * w[p] + g1 * w[p + 1]) + 2 * w[p + 2] * t * sl / d;
        int q = sums + 4 * k;
        w[q] += gu0;
        w[q + 1] += gu1;
        gradient[bOffset[k]] += ga;
        gradient[wOffset[k]] += ga * zi0 - sl / d * w[p];
        gradient[wOffset[k] + 1] += ga * zi1 - sl / d * w[p + 1];
        g0 += ga * wk0;
        g1 += ga * wk1;
      }
    }
    epilogue(theta, w, sums, 4, draws, gradient);
    return loss / draws;
  }

  /**
   * Turns the sums over draws into the mean's gradient: b and w's sums are divided by the draws,
   * and u-hat's adjoints (flow k's at {@code w[sumAt + sumStride * k]} and the next element) are
   * pushed back through u-hat to u and w.
   */
  void epilogue(double[] theta, double[] w, int sumAt, int sumStride, int draws, double[] gradient) {
    for (int k = 0; k < flows; k++) {
      int p = 7 * k;
      int q = sumAt + sumStride * k;
      double gu0 = w[q] / draws;
      double gu1 = w[q + 1] / draws;
      double u0 = theta[uOffset[k]];
      double u1 = theta[uOffset[k] + 1];
      double wk0 = theta[wOffset[k]];
      double wk1 = theta[wOffset[k] + 1];
      double n = w[p + 5];
      double rho = w[p + 6];
      double sig = MathFunctions.sigmoid(w[p + 3]) - 1;
      double guw = gu0 * wk0 + gu1 * wk1;
      gradient[bOffset[k]] /= draws;
      gradient[wOffset[k]] /= draws;
      gradient[wOffset[k] + 1] /= draws;
      gradient[uOffset[k]] = gu0 + guw * sig / n * wk0;
      gradient[uOffset[k] + 1] = gu1 + guw * sig / n * wk1;
      double mk = w[p + 4] - w[p + 3];
      gradient[wOffset[k]] += rho * gu0 + guw * (sig * u0 / n - 2 * mk * wk0 / (n * n));
      gradient[wOffset[k] + 1] += rho * gu1 + guw * (sig * u1 / n - 2 * mk * wk1 / (n * n));
    }
  }

  // Scratch for pot1's call; a baseline for single-threaded benchmarks, so a field will do.
  private final double[] point = new double[2];
  private final double[] gradientScratch = new double[2];

  @Override
  public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] w) {
    prologue(theta, w);
    for (int s = 0; s < draws; s++) {
      double z0 = eps[2 * s];
      double z1 = eps[2 * s + 1];
      double lq = -0.5 * (z0 * z0 + z1 * z1) - 2 * HALF_LOG_TWO_PI;
      for (int k = 0; k < flows; k++) {
        int p = 7 * k;
        double t = MathFunctions.tanh(theta[wOffset[k]] * z0 + theta[wOffset[k] + 1] * z1 + theta[bOffset[k]]);
        lq -= Math.log(Math.abs(1 + (1 - t * t) * w[p + 2]));
        z0 += w[p] * t;
        z1 += w[p + 1] * t;
      }
      z[2 * s] = z0;
      z[2 * s + 1] = z1;
      logq[s] = lq;
    }
  }
}
