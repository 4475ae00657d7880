package io.flowc.runtime;

/**
 * A compiled model's log density log p(z) (up to a constant) and its gradient: what generated
 * code implements and what samplers and fits call.
 *
 * <p>Calls allocate nothing: scratch space is a caller-owned array of {@link #workspaceSize()}
 * doubles. An implementation keeps no mutable state, so one instance may be called from many
 * threads at once as long as each thread passes its own workspace.
 */
public interface LogDensity {
  /** Number of parameter elements: the length of z and of the gradient. */
  int dimension();

  /** Length of the workspace array the methods need (0 for small models). */
  int workspaceSize();

  /**
   * Length of the workspace the methods need on data of free sizes, given the data region as a
   * binding lays it out ({@code data}: sizes, offsets of values of data-dependent length and the
   * start of the scratch space beyond them, see {@link io.flowc.runtime.data.DataBinding}).
   */
  default int workspaceSize(double[] data) {
    return workspaceSize();
  }

  /** log p(z). */
  double logDensity(double[] z, double[] workspace);

  /** log p(z), with its gradient written into {@code gradient[0 .. dimension())}. */
  double logDensityGradient(double[] z, double[] gradient, double[] workspace);
}
