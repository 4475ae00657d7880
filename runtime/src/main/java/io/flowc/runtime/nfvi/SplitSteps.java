package io.flowc.runtime.nfvi;

import io.flowc.runtime.flow.FlowKernel;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fit's steps split as a {@link StepSplit} says: each chunk's base draws, workspace, loss and
 * gradient are its own, the kernel computes them on whichever thread of the crew claims the
 * chunk, and {@link #lossGradient} combines them in chunk order, so the result does not depend on
 * the number of threads. Everything is allocated once, for the fit.
 *
 * <p>A step's base draws are iteration i's {@link Draws} stream, drawn straight into the chunks'
 * arrays of i's parity. The first thread of the crew left without a chunk to claim draws the next
 * iteration's into the other parity's arrays, while the others finish their chunks or the fit's
 * thread combines them and updates the parameters, so that the draws are off the step's path
 * (W1: 200 normals a step, about a microsecond of a 10 µs step). Whichever thread claims an
 * iteration first draws it; the values are the stream's either way.
 */
final class SplitSteps implements AutoCloseable {
  private final FlowKernel kernel;
  private final StepSplit split;
  private final long seed;
  /** Base draws by the parity of their iteration, then by chunk. */
  private final double[][][] eps;
  private final double[][] work;
  private final double[][] gradients;
  private final double[] losses;
  private final ChunkCrew crew;
  /** The last iteration whose draws a thread has begun to draw. */
  private final AtomicInteger claimed = new AtomicInteger(-1);
  /** The last iteration whose draws are complete. */
  private volatile int drawn = -1;
  /** The iteration the crew may draw ahead during the current job (-1: none); published by the job's start. */
  private int ahead = -1;
  private int parity;
  private double[] theta;

  /** Steps whose base draws are those of {@code seed}'s iteration streams ({@link Draws#normals}). */
  SplitSteps(FlowKernel kernel, StepSplit split, int threads, long seed) {
    this.kernel = kernel;
    this.split = split;
    this.seed = seed;
    int chunks = split.chunks();
    int d = kernel.dimension();
    eps = new double[2][chunks][];
    work = new double[chunks][];
    gradients = new double[chunks][kernel.parameterCount()];
    losses = new double[chunks];
    for (int c = 0; c < chunks; c++) {
      eps[0][c] = new double[split.draws(c) * d];
      eps[1][c] = new double[split.draws(c) * d];
      work[c] = new double[kernel.workspaceSize()];
    }
    crew = new ChunkCrew(Math.min(threads, chunks), chunks, this::chunk, this::drawAhead);
  }

  /**
   * The mean loss over iteration {@code iteration}'s {@code nmc} base draws and its gradient: the
   * sums over c in chunk order of n_c times chunk c's mean loss and gradient, divided by nmc.
   * Iterations must come one after another from 0.
   */
  double lossGradient(double[] theta, int iteration, double[] gradient) {
    if (claimed.compareAndSet(iteration - 1, iteration)) {
      draw(iteration);
    } else {
      awaitDraws(iteration);
    }
    ahead = iteration + 1;
    return run(theta, iteration & 1, gradient);
  }

  /**
   * As {@link #lossGradient(double[], int, double[])}, of the step's draws {@code allEps} (nmc of
   * them, drawn by the caller); not for steps after those of the other form, whose next draws a
   * helper may still be writing.
   */
  double lossGradient(double[] theta, double[] allEps, double[] gradient) {
    int d = kernel.dimension();
    for (int c = 0; c < eps[0].length; c++) {
      System.arraycopy(allEps, split.start(c) * d, eps[0][c], 0, eps[0][c].length);
    }
    ahead = -1;
    return run(theta, 0, gradient);
  }

  /** All nmc base draws of {@code iteration}, the last step {@link #lossGradient(double[], int, double[])} ran. */
  double[] draws(int iteration) {
    int d = kernel.dimension();
    double[] all = new double[split.nmc() * d];
    for (int c = 0; c < eps[0].length; c++) {
      System.arraycopy(eps[iteration & 1][c], 0, all, split.start(c) * d, eps[0][c].length);
    }
    return all;
  }

  private double run(double[] theta, int parity, double[] gradient) {
    this.theta = theta;
    this.parity = parity;
    crew.run();
    return combine(split, losses, gradients, gradient);
  }

  private void chunk(int c) {
    losses[c] = kernel.lossGradient(theta, eps[parity][c], split.draws(c), gradients[c], work[c]);
  }

  /**
   * Waits for a helper to finish drawing iteration i's draws, a microsecond's work once it runs:
   * spinning, then yielding the processor, which the helper may be waiting for (on a machine with
   * as many threads as cores while HotSpot's compiler threads are busy, as a fresh process's are).
   */
  private void awaitDraws(int iteration) {
    for (int spins = 0; drawn < iteration; spins++) {
      if (spins < SPINS) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  /** Checks of a wait for draws before it yields: about a microsecond. */
  private static final int SPINS = 64;

  /** A thread's work once no chunk is left to claim: the next iteration's draws, unless a thread has claimed them. */
  private void drawAhead() {
    int next = ahead;
    if (next > 0 && claimed.compareAndSet(next - 1, next)) {
      draw(next);
    }
  }

  /** Iteration i's draws into the chunks' arrays of its parity, in draw order from its one stream. */
  private void draw(int iteration) {
    try {
      SplittableRandom random = Draws.normalStream(seed, iteration);
      for (double[] chunk : eps[iteration & 1]) {
        Draws.normals(random, chunk, chunk.length);
      }
    } finally {
      drawn = iteration;
    }
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
