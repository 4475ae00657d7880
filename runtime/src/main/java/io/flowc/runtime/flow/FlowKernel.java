package io.flowc.runtime.flow;

/**
 * A compiled (model, flow stack) pair: PyMC3's NFVI loss, the mean over base draws of
 * {@code log q(z_K) - log p(z_K)}, and its gradient with respect to the flow parameters theta
 * (laid out as {@link FlowLayout} says). Allocation-free and stateless like
 * {@link io.flowc.runtime.LogDensity}: each thread passes its own workspace.
 */
public interface FlowKernel {
  /** The model's dimension d: the length of one base draw. */
  int dimension();

  /** The length of theta. */
  int parameterCount();

  /** Length of the workspace array {@link #lossGradient} needs. */
  int workspaceSize();

  /** As {@link io.flowc.runtime.LogDensity#workspaceSize(double[])}. */
  default int workspaceSize(double[] data) {
    return workspaceSize();
  }

  /**
   * The mean loss over the draws {@code eps[s*d .. s*d + d)} for {@code s < draws}, with its
   * gradient with respect to theta written into {@code gradient}.
   */
  double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] workspace);

  /**
   * Draws from the flow: for each base draw {@code eps[s*d .. s*d + d)}, {@code s < draws}, the
   * flow's output goes to {@code z[s*d .. s*d + d)} and its log density log q to {@code logq[s]}.
   */
  void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] workspace);
}
