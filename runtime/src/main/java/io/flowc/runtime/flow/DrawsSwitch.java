package io.flowc.runtime.flow;

/**
 * The two kernels of a formula whose runs of flows are compiled differently for calls that run
 * draw by draw and for those that run in blocks of draws (docs/internals.md, "Repeated flows"):
 * a call of fewer than {@code below} draws runs {@code fewDraws} (a run of neural flows as one loop),
 * any other {@code manyDraws} (unrolled, its batched body reading each weight once per block).
 * Both compute the same bits, so a caller cannot tell which ran. For kernels handed out before the
 * draws of a fit's steps are known: classes generated at build time. A workspace fits either kernel.
 */
public final class DrawsSwitch implements FlowKernel {
  private final FlowKernel fewDraws;
  private final FlowKernel manyDraws;
  private final int below;

  private DrawsSwitch(FlowKernel fewDraws, FlowKernel manyDraws, int below) {
    this.fewDraws = fewDraws;
    this.manyDraws = manyDraws;
    this.below = below;
  }

  /**
   * The switch between two kernels of one formula.
   *
   * @throws IllegalArgumentException if their dimensions or parameter counts differ
   */
  public static FlowKernel of(FlowKernel fewDraws, FlowKernel manyDraws, int below) {
    if (fewDraws.dimension() != manyDraws.dimension() || fewDraws.parameterCount() != manyDraws.parameterCount()) {
      throw new IllegalArgumentException("two kernels of one formula must have the same dimension and parameters");
    }
    return new DrawsSwitch(fewDraws, manyDraws, below);
  }

  /** The kernel a call of {@code draws} draws runs. */
  public FlowKernel kernelFor(int draws) {
    return draws < below ? fewDraws : manyDraws;
  }

  @Override
  public int dimension() {
    return manyDraws.dimension();
  }

  @Override
  public int parameterCount() {
    return manyDraws.parameterCount();
  }

  @Override
  public int workspaceSize() {
    return Math.max(fewDraws.workspaceSize(), manyDraws.workspaceSize());
  }

  @Override
  public int workspaceSize(double[] data) {
    return Math.max(fewDraws.workspaceSize(data), manyDraws.workspaceSize(data));
  }

  @Override
  public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] workspace) {
    return kernelFor(draws).lossGradient(theta, eps, draws, gradient, workspace);
  }

  @Override
  public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] workspace) {
    kernelFor(draws).sample(theta, eps, draws, z, logq, workspace);
  }
}
