package io.flowc.runtime.data;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.flow.FlowKernel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

/**
 * Data bound to compiled code. Generated kernels read data from the start of the workspace: the
 * raw values, then values derived from them alone (computed by the model's data prologue, a
 * generated class of dimension 0 whose evaluation writes them), then this binding's stamp. A
 * binding fills that region the first time it sees a workspace and stamps it, so each later call
 * costs one comparison; a workspace moved to another binding is refilled (stamps are unique).
 *
 * <p>Data whose length is a free size ({@link DataLayout}) lie beyond the region: after the
 * static scratch space of the code bound (its {@code workspaceSize()}), the raw values first,
 * then the derived ones ({@link DataRegion#derivedHeaders()}), then the code's scratch space of
 * data-dependent length, whose start goes to slot {@code reserved - 2}. The region holds the
 * offsets, the code reads them and the sizes at entry.
 */
public final class DataBinding {
  private static final AtomicLong STAMPS = new AtomicLong(1);

  private static final double[] NO_POINT = new double[0];

  private final double[] image;
  private final int raw;
  private final LogDensity prologue;
  private final DataRegion region;
  /** The header slots of the raw values of data-dependent length (none: all data are of fixed size). */
  private final int[] headers;

  /** Raw values only: nothing derived, the stamp right after them. */
  public DataBinding(double[] values) {
    this(values, null, values.length + 1);
  }

  /**
   * Data of fixed sizes.
   *
   * @param values the raw values, laid out by the model's DataLayout
   * @param prologue writes the derived values into the workspace (null: there are none)
   * @param reserved the data region's length: raw values, derived values and the stamp
   */
  public DataBinding(double[] values, LogDensity prologue, int reserved) {
    this(values, values.length, prologue, new DataRegion(reserved, new int[0], new int[0]), new int[0]);
  }

  /**
   * @param layout the model's data declarations
   * @param image the data as {@link DataLayout#pack} lays them out
   * @param prologue writes the derived values into the workspace (null: there are none)
   * @param region the data region's length and the derived values of data-dependent length
   */
  public DataBinding(DataLayout layout, double[] image, LogDensity prologue, DataRegion region) {
    this(image, layout.size(), prologue, region,
        layout.variables().stream().filter(DataLayout.Variable::isDynamic).mapToInt(DataLayout.Variable::offset).toArray());
  }

  private DataBinding(double[] image, int raw, LogDensity prologue, DataRegion region, int[] headers) {
    int reserved = region.reserved();
    if (raw > 0 && reserved < raw + (headers.length > 0 ? 2 : 1)) {
      throw new IllegalArgumentException("a data region of " + reserved + " cannot hold " + raw + " values");
    }
    this.image = image.clone();
    this.raw = raw;
    this.prologue = prologue;
    this.region = region;
    this.headers = headers;
  }

  /** The data's part of the workspace: raw values, derived values and the stamp. */
  public int reserved() {
    return region.reserved();
  }

  /** The data as bound to code whose static workspace needs are those given: one per kind of workspace. */
  private final class Bound {
    final double[] header;
    final int workspaceSize;
    final double stamp = STAMPS.getAndIncrement();
    final int base;

    Bound(int codeStatic, ToIntFunction<double[]> codeNeeds) {
      int reserved = region.reserved();
      header = new double[reserved];
      System.arraycopy(image, 0, header, 0, raw);
      int prologueStatic = prologue == null ? 0 : prologue.workspaceSize();
      base = Math.max(Math.max(codeStatic, reserved), prologueStatic);
      if (headers.length == 0) {
        workspaceSize = base;
        return;
      }
      for (int slot : headers) {
        header[slot] = base + (image[slot] - raw);
      }
      int next = base + image.length - raw;
      int[] derivedHeaders = region.derivedHeaders();
      int[] derivedRows = region.derivedRows();
      for (int k = 0; k < derivedHeaders.length; k++) {
        header[derivedHeaders[k]] = next;
        next += (int) header[derivedRows[k]];
      }
      header[reserved - 2] = next;
      int needs = Math.max(next, codeNeeds.applyAsInt(header));
      workspaceSize = prologue == null ? needs : Math.max(needs, prologue.workspaceSize(header));
    }

    void fill(double[] workspace) {
      int reserved = region.reserved();
      if (workspace[reserved - 1] != stamp) {
        System.arraycopy(header, 0, workspace, 0, reserved - 1);
        System.arraycopy(image, raw, workspace, base, image.length - raw);
        if (prologue != null) {
          prologue.logDensity(NO_POINT, workspace);
        }
        workspace[reserved - 1] = stamp;
      }
    }
  }

  /** The log density of {@code model} (itself for a model without data) (compiled for data of this binding's layout) on these data. */
  public LogDensity bind(LogDensity model) {
    if (raw == 0) {
      return model;
    }
    Bound bound = new Bound(model.workspaceSize(), model::workspaceSize);
    return new LogDensity() {
      @Override
      public int dimension() {
        return model.dimension();
      }

      @Override
      public int workspaceSize() {
        return bound.workspaceSize;
      }

      @Override
      public double logDensity(double[] z, double[] workspace) {
        bound.fill(workspace);
        return model.logDensity(z, workspace);
      }

      @Override
      public double logDensityGradient(double[] z, double[] gradient, double[] workspace) {
        bound.fill(workspace);
        return model.logDensityGradient(z, gradient, workspace);
      }
    };
  }

  /** A flow kernel of a model with data, on these data. */
  public FlowKernel bind(FlowKernel kernel) {
    if (raw == 0) {
      return kernel;
    }
    Bound bound = new Bound(kernel.workspaceSize(), kernel::workspaceSize);
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
        return bound.workspaceSize;
      }

      @Override
      public double lossGradient(double[] theta, double[] eps, int draws, double[] gradient, double[] workspace) {
        bound.fill(workspace);
        return kernel.lossGradient(theta, eps, draws, gradient, workspace);
      }

      @Override
      public void sample(double[] theta, double[] eps, int draws, double[] z, double[] logq, double[] workspace) {
        bound.fill(workspace);
        kernel.sample(theta, eps, draws, z, logq, workspace);
      }
    };
  }
}
