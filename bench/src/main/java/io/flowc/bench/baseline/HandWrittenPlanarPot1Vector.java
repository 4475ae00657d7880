package io.flowc.bench.baseline;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.MathFunctions;
import io.flowc.runtime.flow.FlowKernel;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link HandWrittenPlanarPot1BatchMajor} with {@code jdk.incubator.vector}, draws in lanes: the
 * loops over a block's draws as vector operations, tanh and log either scalar or the Vector
 * API's (which are not Math's or {@code MathFunctions}'s to the bit), and each sum over draws kept
 * as one partial sum per lane, reduced at the end of the block. So it agrees with the scalar
 * kernels to rounding only; it is the speed a person can reach by hand, against which the generated kernel
 * (whose transcendental functions stay scalar, for its bits) is measured. The potential's gradient
 * is pot1's {@link LogDensity}, draw by draw. The JVM needs {@code --add-modules jdk.incubator.vector}.
 */
public final class HandWrittenPlanarPot1Vector implements FlowKernel {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
  /** Draws per block; the draws of a partial block beyond its last full vector are padded with zeros. */
  public static final int BLOCK = 128;
  private final int flows;
  private final int[] bOffset;
  private final int[] wOffset;
  private final LogDensity pot1 = HandWritten.of("pot1");
  private final double[] point = new double[2];
  private final double[] gradientScratch = new double[2];
  private final HandWrittenPlanarPot1 perDraw;
  private final boolean vectorFunctions;

  /**
   * {@code planar * flows}; with {@code vectorFunctions} tanh and log are the Vector API's lane-wise
   * operations, otherwise {@code MathFunctions.tanh} and {@code Math.log} one draw at a time (as the
   * generated kernels keep them, for their bits).
   */
  public HandWrittenPlanarPot1Vector(int flows, boolean vectorFunctions) {
    this.flows = flows;
    this.vectorFunctions = vectorFunctions;
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

  /**
   * Per flow 7 prologue values and 2 adjoint sums; rows z0, z1, log q, g0, g1; per flow rows z_k
   * (2), t; a row for the arguments of log.
   */
  @Override
  public int workspaceSize() {
    return 9 * flows + (6 + 3 * flows) * BLOCK;
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
      // whole vectors: a partial block's last vector holds zeros past its draws, and their
      // adjoints are set to zero so that they add nothing to the sums
      int span = (n + L - 1) / L * L;
      for (int b = 0; b < span; b++) {
        double x0 = b < n ? eps[2 * (first + b)] : 0.0;
        double x1 = b < n ? eps[2 * (first + b) + 1] : 0.0;
        w[z0 + b] = x0;
        w[z1 + b] = x1;
        w[lq + b] = -0.5 * (x0 * x0 + x1 * x1) - 2 * HALF_LOG_TWO_PI;
      }
      for (int k = 0; k < flows; k++) {
        forward(theta, w, k, z0, z1, lq, rows, span);
      }
      for (int b = 0; b < span; b++) {
        if (b < n) {
          point[0] = w[z0 + b];
          point[1] = w[z1 + b];
          double logp = pot1.logDensityGradient(point, gradientScratch, null);
          w[g0 + b] = -gradientScratch[0];
          w[g1 + b] = -gradientScratch[1];
          loss += w[lq + b] - logp;
        } else {
          w[g0 + b] = 0.0;
          w[g1 + b] = 0.0;
        }
      }
      for (int k = flows - 1; k >= 0; k--) {
        backward(theta, gradient, w, k, sums, g0, g1, rows, n, span);
      }
    }
    perDraw.epilogue(theta, w, sums, 2, draws, gradient);
    return loss / draws;
  }

  private void forward(double[] theta, double[] w, int k, int z0, int z1, int lq, int rows, int span) {
    int p = 7 * k;
    DoubleVector wk0 = DoubleVector.broadcast(S, theta[wOffset[k]]);
    DoubleVector wk1 = DoubleVector.broadcast(S, theta[wOffset[k] + 1]);
    double bk = theta[bOffset[k]];
    double uh0 = w[p];
    double uh1 = w[p + 1];
    double wu = w[p + 2];
    int zk = rows + 3 * BLOCK * k;
    int t = zk + 2 * BLOCK;
    int det = rows + 3 * BLOCK * flows;
    if (vectorFunctions) {
      for (int b = 0; b < span; b += L) {
        DoubleVector x0 = DoubleVector.fromArray(S, w, z0 + b);
        DoubleVector x1 = DoubleVector.fromArray(S, w, z1 + b);
        DoubleVector tb = wk0.mul(x0).add(wk1.mul(x1)).add(bk).lanewise(VectorOperators.TANH);
        x0.intoArray(w, zk + b);
        x1.intoArray(w, zk + BLOCK + b);
        tb.intoArray(w, t + b);
        DoubleVector log = tb.mul(tb).neg().add(1.0).mul(wu).add(1.0).abs().lanewise(VectorOperators.LOG);
        DoubleVector.fromArray(S, w, lq + b).sub(log).intoArray(w, lq + b);
        x0.add(tb.mul(uh0)).intoArray(w, z0 + b);
        x1.add(tb.mul(uh1)).intoArray(w, z1 + b);
      }
      return;
    }
    for (int b = 0; b < span; b += L) {
      DoubleVector x0 = DoubleVector.fromArray(S, w, z0 + b);
      DoubleVector x1 = DoubleVector.fromArray(S, w, z1 + b);
      x0.intoArray(w, zk + b);
      x1.intoArray(w, zk + BLOCK + b);
      wk0.mul(x0).add(wk1.mul(x1)).add(bk).intoArray(w, t + b);
    }
    for (int b = 0; b < span; b++) {
      w[t + b] = MathFunctions.tanh(w[t + b]);
    }
    for (int b = 0; b < span; b += L) {
      DoubleVector tb = DoubleVector.fromArray(S, w, t + b);
      DoubleVector.fromArray(S, w, z0 + b).add(tb.mul(uh0)).intoArray(w, z0 + b);
      DoubleVector.fromArray(S, w, z1 + b).add(tb.mul(uh1)).intoArray(w, z1 + b);
      tb.mul(tb).neg().add(1.0).mul(wu).add(1.0).abs().intoArray(w, det + b);
    }
    for (int b = 0; b < span; b++) {
      w[lq + b] -= Math.log(w[det + b]);
    }
  }

  private void backward(double[] theta, double[] gradient, double[] w, int k, int sums, int g0, int g1, int rows,
      int n, int span) {
    int p = 7 * k;
    double uh0 = w[p];
    double uh1 = w[p + 1];
    double wu = w[p + 2];
    double wk0 = theta[wOffset[k]];
    double wk1 = theta[wOffset[k] + 1];
    int zk = rows + 3 * BLOCK * k;
    DoubleVector su0 = DoubleVector.zero(S);
    DoubleVector su1 = DoubleVector.zero(S);
    DoubleVector sb = DoubleVector.zero(S);
    DoubleVector sw0 = DoubleVector.zero(S);
    DoubleVector sw1 = DoubleVector.zero(S);
    for (int b = 0; b < span; b += L) {
      DoubleVector zi0 = DoubleVector.fromArray(S, w, zk + b);
      DoubleVector zi1 = DoubleVector.fromArray(S, w, zk + BLOCK + b);
      DoubleVector t = DoubleVector.fromArray(S, w, zk + 2 * BLOCK + b);
      DoubleVector gz0 = DoubleVector.fromArray(S, w, g0 + b);
      DoubleVector gz1 = DoubleVector.fromArray(S, w, g1 + b);
      DoubleVector sl = t.mul(t).neg().add(1.0);
      DoubleVector sd = sl.div(sl.mul(wu).add(1.0));
      // a padded draw has zero adjoints: its terms below are multiplied by a mask of its own
      DoubleVector live = b + L <= n ? null : liveLanes(n - b);
      DoubleVector gu0 = t.mul(gz0).sub(sd.mul(wk0));
      DoubleVector gu1 = t.mul(gz1).sub(sd.mul(wk1));
      DoubleVector ga = sl.mul(gz0.mul(uh0).add(gz1.mul(uh1))).add(t.mul(sd).mul(2 * wu));
      DoubleVector dw0 = ga.mul(zi0).sub(sd.mul(uh0));
      DoubleVector dw1 = ga.mul(zi1).sub(sd.mul(uh1));
      if (live != null) {
        gu0 = gu0.mul(live);
        gu1 = gu1.mul(live);
        ga = ga.mul(live);
        dw0 = dw0.mul(live);
        dw1 = dw1.mul(live);
      }
      su0 = su0.add(gu0);
      su1 = su1.add(gu1);
      sb = sb.add(ga);
      sw0 = sw0.add(dw0);
      sw1 = sw1.add(dw1);
      gz0.add(ga.mul(wk0)).intoArray(w, g0 + b);
      gz1.add(ga.mul(wk1)).intoArray(w, g1 + b);
    }
    int q = sums + 2 * k;
    w[q] += su0.reduceLanes(VectorOperators.ADD);
    w[q + 1] += su1.reduceLanes(VectorOperators.ADD);
    gradient[bOffset[k]] += sb.reduceLanes(VectorOperators.ADD);
    gradient[wOffset[k]] += sw0.reduceLanes(VectorOperators.ADD);
    gradient[wOffset[k] + 1] += sw1.reduceLanes(VectorOperators.ADD);
  }

  /** 1.0 in the first {@code live} lanes, 0.0 in the others. */
  private static DoubleVector liveLanes(int live) {
    return DoubleVector.broadcast(S, 1.0).blend(0.0, S.indexInRange(0, live).not());
  }

  @Override
  public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] w) {
    perDraw.sample(theta, eps, draws, z, logq, w);
  }
}
