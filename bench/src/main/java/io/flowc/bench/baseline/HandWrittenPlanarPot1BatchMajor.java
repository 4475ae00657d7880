package io.flowc.bench.baseline;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.MathFunctions;
import io.flowc.runtime.flow.FlowKernel;
import java.util.Arrays;

/**
 * {@link HandWrittenPlanarPot1} with the flows outer and the draws inner: each flow's loop runs
 * over a block of draws, the draws' values kept in workspace rows ({@code [value][draw]}), so
 * the processor overlaps independent draws instead of waiting on one draw's chain of tanh, log
 * and divide. Every draw goes through the same operations in the same order, and every sum over
 * draws adds the draws in order, so loss and gradient are bit for bit {@link HandWrittenPlanarPot1}'s.
 */
public final class HandWrittenPlanarPot1BatchMajor implements FlowKernel {
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
  /** Draws per block. */
  public static final int BLOCK = 128;
  private final int flows;
  private final int[] bOffset;
  private final int[] wOffset;
  private final LogDensity pot1 = HandWritten.of("pot1");
  private final double[] point = new double[2];
  private final double[] gradientScratch = new double[2];
  /** The per-draw kernel: its layout, prologue and epilogue, and sampling. */
  private final HandWrittenPlanarPot1 perDraw;

  public HandWrittenPlanarPot1BatchMajor(int flows) {
    this.flows = flows;
    perDraw = new HandWrittenPlanarPot1(flows);
    bOffset = perDraw.bOffset;
    wOffset = perDraw.wOffset;
  }

  @Override
  public int dimension() {
    return 2;
  }

  @Override
  public int parameterCount() {
    return perDraw.parameterCount();
  }

  /** Per flow 7 prologue values and 2 adjoint sums; rows z0, z1, log q, g0, g1; per flow rows z_k (2), t. */
  @Override
  public int workspaceSize() {
    return 9 * flows + (5 + 3 * flows) * BLOCK;
  }

  @Override
  public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] w) {
    perDraw.prologue(theta, w);
    int sums = 7 * flows;
    Arrays.fill(w, sums, sums + 2 * flows, 0.0);
    Arrays.fill(gradient, 0.0);
    int z0 = 9 * flows;
    int z1 = z0 + BLOCK;
    int lq = z1 + BLOCK;
    int g0 = lq + BLOCK;
    int g1 = g0 + BLOCK;
    int rows = g1 + BLOCK;
    double loss = 0;
    for (int first = 0; first < draws; first += BLOCK) {
      int n = Math.min(BLOCK, draws - first);
      for (int b = 0; b < n; b++) {
        double x0 = eps[2 * (first + b)];
        double x1 = eps[2 * (first + b) + 1];
        w[z0 + b] = x0;
        w[z1 + b] = x1;
        w[lq + b] = -0.5 * (x0 * x0 + x1 * x1) - 2 * HALF_LOG_TWO_PI;
      }
      for (int k = 0; k < flows; k++) {
        int p = 7 * k;
        double wk0 = theta[wOffset[k]];
        double wk1 = theta[wOffset[k] + 1];
        double bk = theta[bOffset[k]];
        double uh0 = w[p];
        double uh1 = w[p + 1];
        double wu = w[p + 2];
        int zk = rows + 3 * BLOCK * k;
        for (int b = 0; b < n; b++) {
          double x0 = w[z0 + b];
          double x1 = w[z1 + b];
          double t = MathFunctions.tanh(wk0 * x0 + wk1 * x1 + bk);
          w[zk + b] = x0;
          w[zk + BLOCK + b] = x1;
          w[zk + 2 * BLOCK + b] = t;
          w[lq + b] -= Math.log(Math.abs(1 + (1 - t * t) * wu));
          w[z0 + b] = x0 + uh0 * t;
          w[z1 + b] = x1 + uh1 * t;
        }
      }
      for (int b = 0; b < n; b++) {
        point[0] = w[z0 + b];
        point[1] = w[z1 + b];
        double logp = pot1.logDensityGradient(point, gradientScratch, null);
        w[g0 + b] = -gradientScratch[0];
        w[g1 + b] = -gradientScratch[1];
        loss += w[lq + b] - logp;
      }
      for (int k = flows - 1; k >= 0; k--) {
        int p = 7 * k;
        double uh0 = w[p];
        double uh1 = w[p + 1];
        double wu = w[p + 2];
        double wk0 = theta[wOffset[k]];
        double wk1 = theta[wOffset[k] + 1];
        int zk = rows + 3 * BLOCK * k;
        int q = sums + 2 * k;
        // the sums over draws in locals, each still in draw order
        double su0 = w[q];
        double su1 = w[q + 1];
        double sb = gradient[bOffset[k]];
        double sw0 = gradient[wOffset[k]];
        double sw1 = gradient[wOffset[k] + 1];
        for (int b = 0; b < n; b++) {
          double zi0 = w[zk + b];
          double zi1 = w[zk + BLOCK + b];
          double t = w[zk + 2 * BLOCK + b];
          double gz0 = w[g0 + b];
          double gz1 = w[g1 + b];
          double sl = 1 - t * t;
          double d = 1 + sl * wu;
          double gu0 = t * gz0 - sl / d * wk0;
          double gu1 = t * gz1 - sl / d * wk1;
          double ga = sl * (gz0 * uh0 + gz1 * uh1) + 2 * wu * t * sl / d;
          su0 += gu0;
          su1 += gu1;
          sb += ga;
          sw0 += ga * zi0 - sl / d * uh0;
          sw1 += ga * zi1 - sl / d * uh1;
          w[g0 + b] = gz0 + ga * wk0;
          w[g1 + b] = gz1 + ga * wk1;
        }
        w[q] = su0;
        w[q + 1] = su1;
        gradient[bOffset[k]] = sb;
        gradient[wOffset[k]] = sw0;
        gradient[wOffset[k] + 1] = sw1;
      }
    }
    perDraw.epilogue(theta, w, sums, 2, draws, gradient);
    return loss / draws;
  }

  @Override
  public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] w) {
    perDraw.sample(theta, eps, draws, z, logq, w);
  }
}
