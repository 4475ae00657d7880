package io.flowc.runtime.data;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.flow.FlowKernel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Data bound to compiled code. Generated kernels read data from the start of the workspace: the
 * raw values, then values derived from them alone (computed by the model's data prologue, a
 * generated class of dimension 0 whose evaluation writes them), then this binding's stamp. A
 * binding fills that region the first time it sees a workspace and stamps it, so each later call
 * costs one comparison; a workspace moved to another binding is refilled (stamps are unique).
 */
public final class DataBinding {
  private static final AtomicLong STAMPS = new AtomicLong(1);

  private static final double[] NO_POINT = new double[0];

  private final double[] values;
  private final LogDensity prologue;
  private final int reserved;
  private final double stamp;

  /** Raw values only: nothing derived, the stamp right after them. */
  public DataBinding(double[] values) {
    this(values, null, values.length + 1);
  }

  /**
   * @param values the raw values, laid out by the model's DataLayout
   * @param prologue writes the derived values into the workspace (null: there are none)
   * @param reserved the data region's length: raw values, derived values and the stamp
   */
  public DataBinding(double[] values, LogDensity prologue, int reserved) {
    if (values.length > 0 && reserved < values.length + 1) {
      throw new IllegalArgumentException("a data region of " + reserved + " cannot hold " + values.length + " values");
    }
    this.values = values.clone();
    this.prologue = prologue;
    this.reserved = reserved;
    this.stamp = STAMPS.getAndIncrement();
  }

  /** The data's part of the workspace: raw values, derived values and the stamp. */
  public int reserved() {
    return reserved;
  }

  private int workspaceSize(int kernels) {
    return Math.max(Math.max(kernels, reserved), prologue == null ? 0 : prologue.workspaceSize());
  }

  void fill(double[] workspace) {
    if (workspace[reserved - 1] != stamp) {
      System.arraycopy(values, 0, workspace, 0, values.length);
      if (prologue != null) {
        prologue.logDensity(NO_POINT, workspace);
      }
      workspace[reserved - 1] = stamp;
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
        return DataBinding.this.workspaceSize(model.workspaceSize());
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
        return DataBinding.this.workspaceSize(kernel.workspaceSize());
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
