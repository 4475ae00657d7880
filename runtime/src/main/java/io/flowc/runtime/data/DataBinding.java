package io.flowc.runtime.data;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.flow.FlowKernel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Data bound to compiled code. Generated kernels read data from the start of the workspace
 * (elements {@code [0, size)}); a binding copies its values there the first time it sees a
 * workspace, and marks the workspace with its stamp in element {@code size}, so each later call
 * costs one comparison. A workspace moved to another binding is refilled: stamps are unique.
 */
public final class DataBinding {
  private static final AtomicLong STAMPS = new AtomicLong(1);

  private final double[] values;
  private final double stamp;

  public DataBinding(double[] values) {
    this.values = values.clone();
    this.stamp = STAMPS.getAndIncrement();
  }

  /** The data's part of the workspace: the values and the stamp. */
  public int reserved() {
    return values.length + 1;
  }

  void fill(double[] workspace) {
    if (workspace[values.length] != stamp) {
      System.arraycopy(values, 0, workspace, 0, values.length);
      workspace[values.length] = stamp;
    }
  }

  /** The log density of {@code model} (itself for a model without data) (compiled for data of this binding's layout) on these data. */
  public LogDensity bind(LogDensity model) {
    if (values.length == 0) {
      return model;
    }
    return new LogDensity() {
      @Override
      public int dimension() {
        return model.dimension();
      }

      @Override
      public int workspaceSize() {
        return Math.max(model.workspaceSize(), reserved());
      }

      @Override
      public double logDensity(double[] z, double[] workspace) {
        fill(workspace);
        return model.logDensity(z, workspace);
      }

      @Override
      public double logDensityGradient(double[] z, double[] gradient, double[] workspace) {
        fill(workspace);
        return model.logDensityGradient(z, gradient, workspace);
      }
    };
  }

  /** A flow kernel of a model with data, on these data. */
  public FlowKernel bind(FlowKernel kernel) {
    if (values.length == 0) {
      return kernel;
    }
    return new FlowKernel() {
      @Override
      public int dimension() {
        return kernel.dimension();
      }

      @Override
      public int parameterCount() {
        return kernel.parameterCount();
      }

      @Override
      public int workspaceSize() {
        return Math.max(kernel.workspaceSize(), reserved());
      }

      @Override
      public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] workspace) {
        fill(workspace);
        return kernel.lossGradient(theta, eps, draws, gradient, workspace);
      }

      @Override
      public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] workspace) {
        fill(workspace);
        kernel.sample(theta, eps, draws, z, logq, workspace);
      }
    };
  }
}
