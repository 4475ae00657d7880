package io.flowc.runtime.nfvi;

import io.flowc.runtime.flow.FlowKernel;

/**
 * A fit's steps split as a {@link StepSplit} says: each chunk's base draws, workspace, loss and
 * gradient are its own, the kernel computes them on whichever thread of the crew claims the
 * chunk, and {@link #lossGradient} combines them in chunk order, so the result does not depend on
 * the number of threads. Everything is allocated once, for the fit.
 */
final class SplitSteps implements AutoCloseable {
  private final FlowKernel kernel;
  private final StepSplit split;
  private final double[][] eps;
  private final double[][] work;
  private final double[][] gradients;
  private final double[] losses;
  private final ChunkCrew crew;
  private double[] theta;

  SplitSteps(FlowKernel kernel, StepSplit split, int threads) {
    this.kernel = kernel;
    this.split = split;
    int chunks = split.chunks();
    int d = kernel.dimension();
    eps = new double[chunks][];
    work = new double[chunks][];
    gradients = new double[chunks][kernel.parameterCount()];
    losses = new double[chunks];
    for (int c = 0; c < chunks; c++) {
      eps[c] = new double[split.draws(c) * d];
      work[c] = new double[kernel.workspaceSize()];
    }
    crew = new ChunkCrew(Math.min(threads, chunks), chunks, this::chunk);
  }

  /**
   * The mean loss over the step's {@code nmc} draws in {@code allEps} and its gradient: the sums
   * over c in chunk order of n_c times chunk c's mean loss and gradient, divided by nmc.
   */
  double lossGradient(double[] theta, double[] allEps, double[] gradient) {
    int d = kernel.dimension();
    for (int c = 0; c < eps.length; c++) {
      System.arraycopy(allEps, split.start(c) * d, eps[c], 0, eps[c].length);
    }
    this.theta = theta;
    crew.run();
    return combine(split, losses, gradients, gradient);
  }

  private void chunk(int c) {
    losses[c] = kernel.lossGradient(theta, eps[c], split.draws(c), gradients[c], work[c]);
  }

  /** The step's loss and gradient (into {@code gradient}) from its chunks', in chunk order. */
  static double combine(StepSplit split, double[] losses, double[][] gradients, double[] gradient) {
    double nmc = split.nmc();
    double loss = 0;
    for (int c = 0; c < losses.length; c++) {
      loss += split.draws(c) * losses[c];
    }
    for (int k = 0; k < gradient.length; k++) {
      double sum = 0;
      for (int c = 0; c < gradients.length; c++) {
        sum += split.draws(c) * gradients[c][k];
      }
      gradient[k] = sum / nmc;
    }
    return loss / nmc;
  }

  @Override
  public void close() {
    crew.close();
  }
}
