package io.flowc.runtime.nfvi;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.flow.FlowKernel;
import java.util.SplittableRandom;

/**
 * The final loss's draws, log q(z) - log p(z) of each, a block at a time: a block's base draws
 * are the next ones of the evaluation's normal stream (claimed and drawn under one lock, so the
 * blocks get the stream in order whichever thread takes them), then the thread that took it maps
 * them through the flow and the model on its own. Each draw's z and log q depend on its base draw
 * only, so the losses are the same bits for any number of threads and any block size. Only a
 * block's draws are ever held: all of them at once were 80 MB of base draws and as much of z for
 * W4's 100,000 draws of 100 coordinates, copied again per thread, and the young collections that
 * copied those arrays in a fresh JVM took about 0.2 s of W4's 0.9 s evaluation.
 */
final class EvaluationBlocks {
  private final FlowKernel kernel;
  private final LogDensity model;
  private final double[] theta;
  private final double[] losses;
  private final int block;
  private final SplittableRandom normals;
  private int next;

  EvaluationBlocks(FlowKernel kernel, LogDensity model, double[] theta, long seed, double[] losses) {
    this.kernel = kernel;
    this.model = model;
    this.theta = theta;
    this.losses = losses;
    // about 64 KB of base draws, at least a batched body's block of 128 draws and at most 1024
    this.block = Math.max(128, Math.min(1024, 8192 / kernel.dimension()));
    this.normals = Draws.normalStream(seed, Draws.EVALUATION);
  }

  /** Takes blocks until none is left: one thread's share of the evaluation. */
  void run() {
    int d = kernel.dimension();
    double[] eps = new double[block * d];
    double[] z = new double[block * d];
    double[] logq = new double[block];
    double[] workspace = new double[kernel.workspaceSize()];
    double[] work = new double[model.workspaceSize()];
    double[] row = new double[d];
    while (true) {
      int first;
      int n;
      synchronized (this) {
        first = next;
        if (first >= losses.length) {
          return;
        }
        n = Math.min(block, losses.length - first);
        next = first + n;
        Draws.normals(normals, eps, n * d);
      }
      kernel.sample(theta, eps, n, z, logq, workspace);
      for (int j = 0; j < n; j++) {
        System.arraycopy(z, j * d, row, 0, d);
        losses[first + j] = logq[j] - model.logDensity(row, work);
      }
    }
  }
}
