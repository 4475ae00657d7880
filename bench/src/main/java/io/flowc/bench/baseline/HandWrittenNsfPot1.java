package io.flowc.bench.baseline;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.flow.FlowKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Workload W7's kernel written by hand: the NFVI loss of pot1 under a stack of rational-quadratic
 * spline couplings ({@code nsf}, docs/spec/neural_flows.md sections 1, 2 and 5; ReLU conditioners) and
 * its gradient, batched over draws as a careful person would write it for the JVM: a block of
 * draws goes through each layer before the next, activations laid out [unit][draw] so that the
 * innermost loops run over contiguous draws (axpy loops that HotSpot's superword pass
 * vectorizes), and weight gradients accumulated with the draws in order and the units innermost.
 *
 * <p>Two dimensions only (pot1): coupling k conditions on coordinate k mod 2 and transforms the
 * other. Theta is laid out flow by flow in order of application, each flow's hidden layers then
 * its output layer, each weight row-major before its bias; {@link #elementNames} names every
 * element as the flow layout does, so tests can map between this layout and the compiler's.
 */
public final class HandWrittenNsfPot1 implements FlowKernel {
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private final int flows;
  private final int hidden;
  private final int layers;
  private final int bins;
  private final int outputs;
  private final int block;
  private final int perFlow;
  private final LogDensity pot1 = HandWritten.of("pot1");
  private final RationalQuadraticSpline spline;
  /** Dense layers through {@link VectorDense}. */
  private final boolean vector;

  // workspace layout, per block of draws
  private final int zAt;
  private final int actAt;
  private final int outAt;
  private final int logqAt;
  private final int gzAt;
  private final int gActAt;
  private final int gPrevAt;
  private final int gOutAt;
  private final int size;

  private final double[] point = new double[2];
  private final double[] potentialGradient = new double[2];

  /** {@code nsf(bins, bound, hidden, layers, act=relu) * flows} on pot1, draws processed {@code block} at a time. */
  public HandWrittenNsfPot1(int flows, int hidden, int layers, int bins, double bound, int block) {
    this(flows, hidden, layers, bins, bound, block, false);
  }

  /**
   * As above; with {@code vector} the dense layers run through {@link VectorDense} (the JVM needs
   * {@code --add-modules jdk.incubator.vector}), whose weight gradients agree to rounding only.
   */
  public HandWrittenNsfPot1(int flows, int hidden, int layers, int bins, double bound, int block, boolean vector) {
    if (layers < 1 || hidden < 1 || bins < 2 || flows < 1 || block < 1) {
      throw new IllegalArgumentException("bad nsf settings");
    }
    this.flows = flows;
    this.hidden = hidden;
    this.layers = layers;
    this.bins = bins;
    this.outputs = 3 * bins - 1;
    this.block = block;
    this.spline = new RationalQuadraticSpline(bins, bound);
    this.vector = vector;
    this.perFlow = (hidden + hidden) + (layers - 1) * (hidden * hidden + hidden) + (outputs * hidden + outputs);
    zAt = 0;
    actAt = zAt + (flows + 1) * 2 * block;
    outAt = actAt + flows * layers * hidden * block;
    logqAt = outAt + flows * outputs * block;
    gzAt = logqAt + block;
    gActAt = gzAt + 2 * block;
    gPrevAt = gActAt + hidden * block;
    gOutAt = gPrevAt + hidden * block;
    size = gOutAt + outputs * block;
  }

  @Override
  public int dimension() {
    return 2;
  }

  @Override
  public int parameterCount() {
    return flows * perFlow;
  }

  @Override
  public int workspaceSize() {
    return size;
  }

  /** Element names in theta order: {@code nsf_0.net.0.weight[3,0]}, {@code nsf_0.out.bias[22]}, ... */
  public List<String> elementNames() {
    List<String> names = new ArrayList<>();
    for (int f = 0; f < flows; f++) {
      for (int l = 0; l <= layers; l++) {
        String layer = "nsf_" + f + (l < layers ? ".net." + l : ".out");
        int rows = l < layers ? hidden : outputs;
        int cols = l == 0 ? 1 : hidden;
        for (int i = 0; i < rows; i++) {
          for (int j = 0; j < cols; j++) {
            names.add(layer + ".weight[" + i + "," + j + "]");
          }
        }
        for (int i = 0; i < rows; i++) {
          names.add(layer + ".bias[" + i + "]");
        }
      }
    }
    return names;
  }

  /**
   * The kernel taking theta in another order of the same elements, {@code names} (the compiled
   * flow layout's element names): a permutation on the way in and out of every call. Not
   * thread-safe, like the kernel itself.
   */
  public static FlowKernel inLayout(HandWrittenNsfPot1 kernel, List<String> names) {
    List<String> own = kernel.elementNames();
    if (names.size() != own.size()) {
      throw new IllegalArgumentException(names.size() + " elements, the hand-written kernel has " + own.size());
    }
    java.util.Map<String, Integer> position = new java.util.HashMap<>();
    for (int i = 0; i < own.size(); i++) {
      position.put(own.get(i), i);
    }
    int[] at = new int[names.size()];
    for (int i = 0; i < at.length; i++) {
      Integer p = position.get(names.get(i));
      if (p == null) {
        throw new IllegalArgumentException("the hand-written kernel has no " + names.get(i));
      }
      at[i] = p;
    }
    double[] ownTheta = new double[at.length];
    double[] ownGradient = new double[at.length];
    return new FlowKernel() {
      @Override
      public int dimension() {
        return 2;
      }

      @Override
      public int parameterCount() {
        return at.length;
      }

      @Override
      public int workspaceSize() {
        return kernel.workspaceSize();
      }

      @Override
      public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] w) {
        for (int i = 0; i < at.length; i++) {
          ownTheta[at[i]] = theta[i];
        }
        double loss = kernel.lossGradient(ownTheta, eps, draws, ownGradient, w);
        for (int i = 0; i < at.length; i++) {
          gradient[i] = ownGradient[at[i]];
        }
        return loss;
      }

      @Override
      public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] w) {
        for (int i = 0; i < at.length; i++) {
          ownTheta[at[i]] = theta[i];
        }
        kernel.sample(ownTheta, eps, draws, z, logq, w);
      }
    };
  }

  /** Offset in theta of layer {@code l}'s weight (l = layers: the output layer) of flow f; its bias follows it. */
  private int weightAt(int f, int l) {
    int at = f * perFlow;
    for (int m = 0; m < l; m++) {
      at += (m == 0 ? hidden : hidden * hidden) + hidden;
    }
    return at;
  }

  @Override
  public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] w) {
    Arrays.fill(gradient, 0.0);
    double loss = 0;
    for (int start = 0; start < draws; start += block) {
      int nb = Math.min(block, draws - start);
      forward(theta, eps, start, nb, w);
      for (int b = 0; b < nb; b++) {
        point[0] = w[zAt + (flows * 2) * block + b];
        point[1] = w[zAt + (flows * 2 + 1) * block + b];
        double logp = pot1.logDensityGradient(point, potentialGradient, null);
        loss += w[logqAt + b] - logp;
        w[gzAt + b] = -potentialGradient[0];
        w[gzAt + block + b] = -potentialGradient[1];
      }
      for (int f = flows - 1; f >= 0; f--) {
        backward(theta, f, nb, gradient, w);
      }
    }
    for (int i = 0; i < gradient.length; i++) {
      gradient[i] /= draws;
    }
    return loss / draws;
  }

  @Override
  public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] w) {
    for (int start = 0; start < draws; start += block) {
      int nb = Math.min(block, draws - start);
      forward(theta, eps, start, nb, w);
      for (int b = 0; b < nb; b++) {
        z[2 * (start + b)] = w[zAt + (flows * 2) * block + b];
        z[2 * (start + b) + 1] = w[zAt + (flows * 2 + 1) * block + b];
        logq[start + b] = w[logqAt + b];
      }
    }
  }

  private void forward(double[] theta, double[] eps, int start, int nb, double[] w) {
    for (int b = 0; b < nb; b++) {
      double e0 = eps[2 * (start + b)];
      double e1 = eps[2 * (start + b) + 1];
      w[zAt + b] = e0;
      w[zAt + block + b] = e1;
      w[logqAt + b] = -0.5 * (e0 * e0 + e1 * e1) - 2 * HALF_LOG_TWO_PI;
    }
    for (int f = 0; f < flows; f++) {
      int cond = f % 2;
      int moved = 1 - cond;
      int in = zAt + (2 * f + cond) * block;
      int x = zAt + (2 * f + moved) * block;
      // the first hidden layer has one input
      int w0 = weightAt(f, 0);
      int act = activations(f, 0);
      for (int i = 0; i < hidden; i++) {
        double wi = theta[w0 + i];
        double ci = theta[w0 + hidden + i];
        int row = act + i * block;
        for (int b = 0; b < nb; b++) {
          w[row + b] = Math.max(wi * w[in + b] + ci, 0.0);
        }
      }
      for (int l = 1; l < layers; l++) {
        dense(theta, weightAt(f, l), hidden, hidden, activations(f, l - 1), activations(f, l), nb, w, true);
      }
      int out = outAt + f * outputs * block;
      dense(theta, weightAt(f, layers), outputs, hidden, activations(f, layers - 1), out, nb, w, false);
      int next = zAt + 2 * (f + 1) * block;
      for (int b = 0; b < nb; b++) {
        spline.forward(w[x + b], w, out + b, block);
        w[next + cond * block + b] = w[in + b];
        w[next + moved * block + b] = spline.y;
        w[logqAt + b] -= spline.logDet;
      }
    }
  }

  private int activations(int f, int l) {
    return actAt + (f * layers + l) * hidden * block;
  }

  /**
   * out[i][b] = act(sum_j W[i,j] in[j][b] + c[i]), j ascending: four draws per trip, each with its
   * own accumulator (four independent chains of multiply-adds instead of one).
   */
  private void dense(double[] theta, int weight, int rows, int cols, int in, int out, int nb, double[] w,
      boolean relu) {
    if (vector) {
      VectorDense.dense(theta, weight, rows, cols, in, out, block, nb, w, relu);
      return;
    }
    int bias = weight + rows * cols;
    for (int i = 0; i < rows; i++) {
      int row = out + i * block;
      int wRow = weight + i * cols;
      double ci = theta[bias + i];
      int b = 0;
      for (; b + 4 <= nb; b += 4) {
        double first = theta[wRow];
        double a0 = first * w[in + b];
        double a1 = first * w[in + b + 1];
        double a2 = first * w[in + b + 2];
        double a3 = first * w[in + b + 3];
        for (int j = 1; j < cols; j++) {
          double wij = theta[wRow + j];
          int src = in + j * block + b;
          a0 += wij * w[src];
          a1 += wij * w[src + 1];
          a2 += wij * w[src + 2];
          a3 += wij * w[src + 3];
        }
        w[row + b] = activate(a0 + ci, relu);
        w[row + b + 1] = activate(a1 + ci, relu);
        w[row + b + 2] = activate(a2 + ci, relu);
        w[row + b + 3] = activate(a3 + ci, relu);
      }
      for (; b < nb; b++) {
        double a = theta[wRow] * w[in + b];
        for (int j = 1; j < cols; j++) {
          a += theta[wRow + j] * w[in + j * block + b];
        }
        w[row + b] = activate(a + ci, relu);
      }
    }
  }

  private static double activate(double v, boolean relu) {
    return relu ? Math.max(v, 0.0) : v;
  }

  private void backward(double[] theta, int f, int nb, double[] gradient, double[] w) {
    int cond = f % 2;
    int moved = 1 - cond;
    int in = zAt + (2 * f + cond) * block;
    int x = zAt + (2 * f + moved) * block;
    int out = outAt + f * outputs * block;
    Arrays.fill(w, gOutAt, gOutAt + outputs * block, 0.0);
    for (int b = 0; b < nb; b++) {
      spline.forward(w[x + b], w, out + b, block);
      int at = gzAt + moved * block + b;
      w[at] = spline.backward(w[x + b], w[at], -1, w, out + b, block, w, gOutAt + b);
    }
    // the output layer, then the hidden layers down to the second: adjoints of each layer's input
    int gOut = gOutAt;
    int gIn = gActAt;
    denseBackward(theta, gradient, weightAt(f, layers), outputs, hidden, activations(f, layers - 1), gOut, gIn, nb, w);
    for (int l = layers - 1; l >= 1; l--) {
      reluBackward(activations(f, l), gIn, nb, w);
      int gPrev = gIn == gActAt ? gPrevAt : gActAt;
      denseBackward(theta, gradient, weightAt(f, l), hidden, hidden, activations(f, l - 1), gIn, gPrev, nb, w);
      gIn = gPrev;
    }
    reluBackward(activations(f, 0), gIn, nb, w);
    // the first layer: one input, the conditioning coordinate, which also passes through unchanged
    int w0 = weightAt(f, 0);
    int gz = gzAt + cond * block;
    for (int i = 0; i < hidden; i++) {
      int row = gIn + i * block;
      double wi = theta[w0 + i];
      for (int b = 0; b < nb; b++) {
        double g = w[row + b];
        gradient[w0 + i] += g * w[in + b];
        gradient[w0 + hidden + i] += g;
        w[gz + b] += wi * g;
      }
    }
  }

  /** Zeroes the adjoints of units whose ReLU was off (ReLU's derivative at 0 is 0). */
  private void reluBackward(int act, int g, int nb, double[] w) {
    for (int i = 0; i < hidden; i++) {
      int row = i * block;
      for (int b = 0; b < nb; b++) {
        if (!(w[act + row + b] > 0)) {
          w[g + row + b] = 0;
        }
      }
    }
  }

  /**
   * For out = W in + c: adds dW and dc to the gradient, draw by draw in order (the same sums
   * whatever the block size), four weights per trip with their own accumulators; and writes in's
   * adjoint, gIn[j][b] = sum_i W[i,j] gOut[i][b], four draws per trip.
   */
  private void denseBackward(double[] theta, double[] gradient, int weight, int rows, int cols, int in, int gOut,
      int gIn, int nb, double[] w) {
    if (vector) {
      VectorDense.denseBackward(theta, gradient, weight, rows, cols, in, gOut, gIn, block, nb, w);
      return;
    }
    int bias = weight + rows * cols;
    for (int i = 0; i < rows; i++) {
      int row = gOut + i * block;
      int wRow = weight + i * cols;
      double c = gradient[bias + i];
      for (int b = 0; b < nb; b++) {
        c += w[row + b];
      }
      gradient[bias + i] = c;
      int j = 0;
      for (; j + 4 <= cols; j += 4) {
        double a0 = gradient[wRow + j];
        double a1 = gradient[wRow + j + 1];
        double a2 = gradient[wRow + j + 2];
        double a3 = gradient[wRow + j + 3];
        int x = in + j * block;
        for (int b = 0; b < nb; b++) {
          double g = w[row + b];
          a0 += g * w[x + b];
          a1 += g * w[x + block + b];
          a2 += g * w[x + 2 * block + b];
          a3 += g * w[x + 3 * block + b];
        }
        gradient[wRow + j] = a0;
        gradient[wRow + j + 1] = a1;
        gradient[wRow + j + 2] = a2;
        gradient[wRow + j + 3] = a3;
      }
      for (; j < cols; j++) {
        double a = gradient[wRow + j];
        for (int b = 0; b < nb; b++) {
          a += w[row + b] * w[in + j * block + b];
        }
        gradient[wRow + j] = a;
      }
    }
    for (int j = 0; j < cols; j++) {
      int target = gIn + j * block;
      int b = 0;
      for (; b + 4 <= nb; b += 4) {
        double first = theta[weight + j];
        double a0 = first * w[gOut + b];
        double a1 = first * w[gOut + b + 1];
        double a2 = first * w[gOut + b + 2];
        double a3 = first * w[gOut + b + 3];
        for (int i = 1; i < rows; i++) {
          double wij = theta[weight + i * cols + j];
          int src = gOut + i * block + b;
          a0 += wij * w[src];
          a1 += wij * w[src + 1];
          a2 += wij * w[src + 2];
          a3 += wij * w[src + 3];
        }
        w[target + b] = a0;
        w[target + b + 1] = a1;
        w[target + b + 2] = a2;
        w[target + b + 3] = a3;
      }
      for (; b < nb; b++) {
        double a = theta[weight + j] * w[gOut + b];
        for (int i = 1; i < rows; i++) {
          a += theta[weight + i * cols + j] * w[gOut + i * block + b];
        }
        w[target + b] = a;
      }
    }
  }
}
