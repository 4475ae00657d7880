package io.flowc.runtime.data;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.flow.FlowKernel;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
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
  /** The data declarations, for drawing rows in batches (null: bound without them). */
  private final DataLayout layout;

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
        layout.variables().stream().filter(DataLayout.Variable::isDynamic).mapToInt(DataLayout.Variable::offset).toArray(),
        1.0, layout);
  }

  /** The value of the row scale slot (data of free sizes only): N/B for batches of B of N rows. */
  private final double rowScale;

  private DataBinding(double[] image, int raw, LogDensity prologue, DataRegion region, int[] headers) {
    this(image, raw, prologue, region, headers, 1.0, null);
  }

  private DataBinding(double[] image, int raw, LogDensity prologue, DataRegion region, int[] headers,
      double rowScale, DataLayout layout) {
    int reserved = region.reserved();
    // data of free sizes: the raw values, the row scale, ..., the scratch start and the stamp
    if (raw > 0 && reserved < raw + (headers.length > 0 ? 3 : 1)) {
      throw new IllegalArgumentException("a data region of " + reserved + " cannot hold " + raw + " values");
    }
    this.image = image.clone();
    this.raw = raw;
    this.prologue = prologue;
    this.region = region;
    this.headers = headers;
    this.rowScale = rowScale;
    this.layout = layout;
  }

  /**
   * The free sizes that count rows of these data (data of one row size can be drawn in batches),
   * in declaration order; empty when every size is fixed.
   */
  public List<String> rowSizes() {
    return layout == null ? List.of()
        : layout.variables().stream().filter(DataLayout.Variable::isDynamic).map(DataLayout.Variable::rows).distinct().toList();
  }

  /** The number of rows these data hold: the value of their one row size. */
  public int rowCount() {
    List<String> sizes = rowSizes();
    if (sizes.size() != 1) {
      throw new IllegalStateException("data with " + sizes.size() + " row sizes");
    }
    return (int) image[layout.variable(sizes.get(0)).offset()];
  }

  /**
   * Batches of {@code size} rows drawn from these data (of one row size, {@code size} below
   * the row count N): code bound by the batches sees data of B = {@code size} rows and a row
   * scale of N/B, and {@link Batches#draw} refills those rows from the full data.
   */
  public Batches batches(int size) {
    int n = rowCount();
    if (size < 1 || size >= n) {
      throw new IllegalArgumentException("a batch of " + size + " rows out of " + n);
    }
    DataBinding batchBinding = rows(0, size, (double) n / size);
    return batchBinding.new Batches(image, n, size, dynamicSlots(), dynamicColumns());
  }

  /**
   * These data cut to rows [{@code from}, {@code to}) (of one row size), with a row scale of 1:
   * code bound by it computes the terms over those rows alone, and its priors as on all rows.
   * What a log density split into chunks of rows binds each chunk to.
   */
  public DataBinding rows(int from, int to) {
    int n = rowCount();
    if (from < 0 || to > n || from >= to) {
      throw new IllegalArgumentException("rows [" + from + ", " + to + ") out of " + n);
    }
    return rows(from, to - from, 1.0);
  }

  private DataBinding rows(int from, int size, double scale) {
    int n = rowCount();
    int[] slots = dynamicSlots();
    int[] columns = dynamicColumns();
    int length = raw;
    for (int c : columns) {
      length += c * size;
    }
    double[] cut = new double[length];
    System.arraycopy(image, 0, cut, 0, raw);
    cut[layout.variable(rowSizes().get(0)).offset()] = size;
    int next = raw;
    for (int k = 0; k < slots.length; k++) {
      cut[slots[k]] = next;
      // stored by columns: column c of the rows is one run
      for (int c = 0; c < columns[k]; c++) {
        System.arraycopy(image, (int) image[slots[k]] + c * n + from, cut, next + c * size, size);
      }
      next += columns[k] * size;
    }
    return new DataBinding(cut, raw, prologue, region, headers, scale, layout);
  }

  private int[] dynamicSlots() {
    return layout.variables().stream().filter(DataLayout.Variable::isDynamic).mapToInt(DataLayout.Variable::offset)
        .toArray();
  }

  private int[] dynamicColumns() {
    return layout.variables().stream().filter(DataLayout.Variable::isDynamic)
        .mapToInt(v -> v.dims().length == 2 ? v.dims()[1] : 1).toArray();
  }

  /** The values per row of these data (of one row size): one per vector, a matrix's columns. */
  public int valuesPerRow() {
    int sum = 0;
    for (int c : dynamicColumns()) {
      sum += c;
    }
    return sum;
  }

  /**
   * Rows drawn in batches: a batch-sized region of the workspace, refilled at each step by
   * gathering B rows of the full data, then the derived values recomputed from them. A
   * {@link Walk} shuffles the rows and walks the shuffled order in slices of B (random
   * reshuffling): each batch is a uniform random subset of B rows, so N/B times a sum over it
   * estimates the sum over all rows without bias, and within one pass over the data every row is
   * seen once, so the batch noise of a pass cancels, where batches drawn independently would
   * leave it to shrink only as one over the square root of the steps.
   */
  public final class Batches {
    private final double[] full;
    private final int rows;
    private final int size;
    private final int[] slots;
    private final int[] columns;
    private Bound bound;

    private Batches(double[] full, int rows, int size, int[] slots, int[] columns) {
      this.full = full;
      this.rows = rows;
      this.size = size;
      this.slots = slots;
      this.columns = columns;
    }

    /** N, the rows of the full data. */
    public int rows() {
      return rows;
    }

    /** B, the rows of a batch. */
    public int size() {
      return size;
    }

    /** N/B, the scale of every term over rows (PyMC3's largest scaling: the normalizing constant C). */
    public double scale() {
      return rowScale;
    }

    /** The batches of one pass over the data: floor(N/B); the N mod B rows left over wait for a later pass. */
    public int batchesPerPass() {
      return rows / size;
    }

    /** A walk through shuffled orders of the rows, one per fit (it holds N row numbers). */
    public Walk newWalk() {
      return new Walk();
    }

    /** The flow kernel on batches (compiled with free sizes); {@link Walk#next} refills its rows. */
    public FlowKernel bind(FlowKernel kernel) {
      bound = new Bound(kernel.workspaceSize(), kernel::workspaceSize);
      return bound(kernel, bound);
    }

    /**
     * A shuffled order of the rows walked in slices of B, each slice's rows in ascending order
     * (which the gathers read forwards); allocates nothing per batch.
     */
    public final class Walk {
      private final int[] order = new int[rows];
      /** Each slice of the pass's order, its rows ascending, one slice after another. */
      private final int[] slices = new int[batchesPerPass() * size];
      /** The slice of the pass each row falls in (-1: none, a row left over). */
      private final int[] sliceOf = new int[rows];
      /** Where the next row of each slice goes in {@link #slices}. */
      private final int[] cursors = new int[batchesPerPass()];
      /** The next slice of the order; a pass is over when it reaches {@link #batchesPerPass}. */
      private int slice;

      private Walk() {
        for (int i = 0; i < rows; i++) {
          order[i] = i;
        }
        slice = batchesPerPass();
      }

      /** Whether the next batch starts a pass: the order must be shuffled first. */
      public boolean needsShuffle() {
        return slice == batchesPerPass();
      }

      /**
       * Shuffles the order (Fisher-Yates, from {@code random}) and starts a pass with its first slice.
       * The slices' rows are put in ascending order by one walk over the rows that drops each into
       * its slice: what sorting each slice gives, in time linear in the rows, where sorting the
       * slices took a third of a batch's gathering (docs/performance.md, "Minibatches").
       */
      public void shuffle(SplittableRandom random) {
        for (int i = rows - 1; i > 0; i--) {
          int k = random.nextInt(i + 1);
          int t = order[i];
          order[i] = order[k];
          order[k] = t;
        }
        int batches = batchesPerPass();
        for (int b = 0, j = 0; b < batches; b++) {
          cursors[b] = j;
          for (int end = j + size; j < end; j++) {
            sliceOf[order[j]] = b;
          }
        }
        for (int j = batches * size; j < rows; j++) {
          sliceOf[order[j]] = -1;
        }
        for (int r = 0; r < rows; r++) {
          int b = sliceOf[r];
          if (b >= 0) {
            slices[cursors[b]++] = r;
          }
        }
        slice = 0;
      }

      /** Gathers the next slice of the order into {@code workspace} (of the kernel {@link #bind} gave). */
      public void next(double[] workspace) {
        if (needsShuffle()) {
          throw new IllegalStateException("a pass over the rows is over: shuffle first");
        }
        int first = slice * size;
        slice++;
        bound.fill(workspace);
        for (int v = 0; v < slots.length; v++) {
          int at = (int) workspace[slots[v]];
          int from = (int) full[slots[v]];
          for (int c = 0; c < columns[v]; c++) {
            int src = from + c * rows;
            int dst = at + c * size;
            for (int j = 0; j < size; j++) {
              workspace[dst + j] = full[src + slices[first + j]];
            }
          }
        }
        if (prologue != null) {
          prologue.logDensity(NO_POINT, workspace);
        }
      }
    }
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
      header[raw] = rowScale;
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

  /**
   * What this binding writes below {@link #reserved()} in the workspace of {@code model} (compiled
   * for data of this binding's layout): the raw values of fixed size, and for data of free sizes
   * their sizes, where it puts their values, the row scale and where the scratch starts. Code
   * specialized to these values ({@code SlotBinding}) runs on this binding as {@code model} does,
   * provided its static workspace size is {@code model}'s.
   */
  public double[] header(LogDensity model) {
    double[] header = new Bound(model.workspaceSize(), model::workspaceSize).header;
    return Arrays.copyOf(header, header.length);
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
    return bound(kernel, new Bound(kernel.workspaceSize(), kernel::workspaceSize));
  }

  private static FlowKernel bound(FlowKernel kernel, Bound bound) {
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
