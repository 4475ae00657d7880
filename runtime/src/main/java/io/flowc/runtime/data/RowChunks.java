package io.flowc.runtime.data;

import io.flowc.runtime.LogDensity;
import io.flowc.runtime.nfvi.ChunkCrew;
import java.util.function.BiFunction;

/**
 * A log density on many rows of data split into fixed chunks of rows (Stan's {@code reduce_sum},
 * chosen by the compiler): chunk 0 is the whole model on its rows, priors included, every other
 * chunk the model's terms over rows alone on its own. Each chunk's value and gradient are
 * computed into a workspace and gradient of its own, on whichever thread claims it, and summed in
 * chunk order; the chunks depend on the data and the model alone ({@link #chunkCount}), never on
 * the threads, so a point's log density and gradient have the same bits on any number of threads.
 * They are not the bits of the unsplit model, whose sums over rows run in one pass: the same sums
 * but for rounding.
 */
public final class RowChunks {
  /**
   * Values of data per chunk, at least: 2^18 (about 0.1-0.3 ms of a gradient's work on them), so
   * that a chunk pays for handing it to another thread and for its own entry and exit (see
   * docs/performance.md, "Threads in one gradient").
   */
  public static final long CHUNK_VALUES = 1L << 18;

  private final LogDensity[] chunks;
  private final int[] starts;
  private final int dimension;

  private RowChunks(LogDensity[] chunks, int[] starts) {
    this.chunks = chunks;
    this.starts = starts;
    this.dimension = chunks[0].dimension();
  }

  /**
   * The chunks for {@code rows} rows of {@code valuesPerRow} values each: the least power of two
   * (equal shares for 2, 4, 8 threads) that gives every chunk at least {@link #CHUNK_VALUES}
   * values, but no more chunks than rows; 1 means: do not split.
   */
  public static int chunkCount(int rows, int valuesPerRow) {
    long values = (long) rows * valuesPerRow;
    int count = 1;
    while ((long) count * 2 * CHUNK_VALUES <= values && count * 2 <= rows) {
      count *= 2;
    }
    return count;
  }

  /**
   * {@code count} chunks of nearly equal size (rows c N / count up to (c + 1) N / count): chunk 0
   * {@code whole} (the model, compiled with free sizes) on {@code wholeData}'s rows, the others
   * {@code rows} (its terms over rows alone) on {@code rowsData}'s.
   */
  public static RowChunks split(LogDensity whole, DataBinding wholeData, LogDensity rows, DataBinding rowsData,
      int count) {
    return split(whole, wholeData, rows, rowsData, count, (code, header) -> code);
  }

  /**
   * As {@link #split(LogDensity, DataBinding, LogDensity, DataBinding, int)}, each chunk running
   * the code {@code specialize} gives for {@code whole} or {@code rows} and the header its binding
   * writes ({@link DataBinding#header}): code of the same static workspace size that computes what
   * the code given computes on data so bound.
   */
  public static RowChunks split(LogDensity whole, DataBinding wholeData, LogDensity rows, DataBinding rowsData,
      int count, BiFunction<LogDensity, double[], LogDensity> specialize) {
    int n = wholeData.rowCount();
    if (count < 1 || count > n) {
      throw new IllegalArgumentException(count + " chunks of " + n + " rows");
    }
    LogDensity[] chunks = new LogDensity[count];
    int[] starts = new int[count + 1];
    for (int c = 0; c <= count; c++) {
      starts[c] = (int) ((long) c * n / count);
    }
    for (int c = 0; c < count; c++) {
      DataBinding data = (c == 0 ? wholeData : rowsData).rows(starts[c], starts[c + 1]);
      LogDensity code = c == 0 ? whole : rows;
      chunks[c] = data.bind(specialize.apply(code, data.header(code)));
    }
    return new RowChunks(chunks, starts);
  }

  /** The number of chunks. */
  public int count() {
    return chunks.length;
  }

  /** The first row of chunk {@code c} ({@code c == count()}: the row count). */
  public int start(int c) {
    return starts[c];
  }

  /** Chunk {@code c}'s own log density (on its own data; chunk 0 with the priors). */
  public LogDensity chunk(int c) {
    return chunks[c];
  }

  public int dimension() {
    return dimension;
  }

  /**
   * A log density for one caller at a time (a NUTS chain): it owns the chunks' workspaces and
   * gradients (so its {@link LogDensity#workspaceSize} is 0) and, for {@code threads} > 1, a crew
   * of threads made at its first call, for the thread making it. Close it when done.
   */
  public Lane lane(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1");
    }
    return new Lane(threads);
  }

  /** See {@link #lane}. */
  public final class Lane implements LogDensity, AutoCloseable {
    private final int threads;
    private final double[][] workspaces = new double[chunks.length][];
    private final double[][] gradients = new double[chunks.length][];
    private final double[] values = new double[chunks.length];
    private ChunkCrew crew;
    /** The point and the kind of the job the crew runs; written before {@link ChunkCrew#run} publishes them. */
    private double[] point;
    private boolean withGradient;

    private Lane(int threads) {
      this.threads = threads;
      for (int c = 0; c < chunks.length; c++) {
        workspaces[c] = new double[chunks[c].workspaceSize()];
        gradients[c] = new double[dimension];
      }
    }

    @Override
    public int dimension() {
      return dimension;
    }

    @Override
    public int workspaceSize() {
      return 0;
    }

    @Override
    public double logDensity(double[] z, double[] workspace) {
      evaluate(z, false);
      double sum = values[0];
      for (int c = 1; c < values.length; c++) {
        sum += values[c];
      }
      return sum;
    }

    @Override
    public double logDensityGradient(double[] z, double[] gradient, double[] workspace) {
      evaluate(z, true);
      double sum = values[0];
      System.arraycopy(gradients[0], 0, gradient, 0, dimension);
      // in chunk order, whichever thread finished first: the bits do not depend on the threads
      for (int c = 1; c < values.length; c++) {
        sum += values[c];
        double[] g = gradients[c];
        for (int k = 0; k < dimension; k++) {
          gradient[k] += g[k];
        }
      }
      return sum;
    }

    private void evaluate(double[] z, boolean gradient) {
      point = z;
      withGradient = gradient;
      if (threads == 1) {
        for (int c = 0; c < chunks.length; c++) {
          runChunk(c);
        }
        return;
      }
      if (crew == null) {
        crew = new ChunkCrew(Math.min(threads, chunks.length), chunks.length, this::runChunk);
      }
      crew.run();
    }

    private void runChunk(int c) {
      values[c] = withGradient ? chunks[c].logDensityGradient(point, gradients[c], workspaces[c])
          : chunks[c].logDensity(point, workspaces[c]);
    }

    @Override
    public void close() {
      if (crew != null) {
        crew.close();
      }
    }
  }
}
