package io.flowc.runtime.nfvi;

/**
 * How a fit splits each step's draws into chunks that threads compute apart: chunk c holds draws
 * {@code [c * chunkDraws, min((c + 1) * chunkDraws, nmc))}; each chunk's mean loss and gradient
 * come from its own call of the kernel, and the step's are their draw-weighted sum in chunk order
 * (docs/performance.md, "Threads in one fit"). The split depends on the kernel's cost
 * ({@link StepCost}) and nmc only, never on the number of threads, so a fit gives the same bits on
 * any number of threads; those bits differ from an unsplit fit's, whose sums over draws run in one
 * pass.
 */
public record StepSplit(int nmc, int chunkDraws) {
  /**
   * Fewest operations of a chunk's draws (2^14, about 10 µs of work). Handing a chunk to a thread
   * that waits for it spinning costs about a microsecond, so W1's steps (planar*8, 100 draws of 453
   * operations, 23 µs) gain from two chunks of 50 draws; four of 25 would be below it.
   */
  public static final long CHUNK_OPERATIONS = 1L << 14;

  /**
   * A chunk's draws run at least this many times the operations every call runs whatever its
   * draws (its prologue, epilogue and gradient): what splitting adds stays within a quarter of
   * what it shares out.
   */
  public static final long CALL_SHARE = 4;

  /**
   * Most chunks in a step: each holds a workspace and a gradient of its own, and a step is combined
   * from all of them.
   */
  public static final int MAX_CHUNKS = 16;

  public StepSplit {
    if (nmc < 1 || chunkDraws < 1 || chunkDraws > nmc) {
      throw new IllegalArgumentException("a split needs 1 <= chunkDraws <= nmc, got " + chunkDraws + " of " + nmc);
    }
  }

  /**
   * The compiler's rule: a step of {@code nmc} draws splits into the most chunks, a power of two up
   * to {@link #MAX_CHUNKS} (equal chunks share the threads evenly), of {@code ceil(nmc / k)} draws
   * each, whose smallest (the last) still has the kernel's {@link StepCost#minimumChunkDraws} and
   * runs at least {@link #CHUNK_OPERATIONS} and {@link #CALL_SHARE} times the kernel's operations
   * per call; a step that would be one chunk runs unsplit (null), as do kernels of unknown cost.
   * Nothing here depends on the number of threads. W1 (planar*8, 453 operations per draw, nmc 100)
   * splits into 2 chunks of 50; W7 (nsf(hidden=64)*3, 91,107 per draw, nmc 256) into 2 of 128 (a
   * block each); W2 (10 draws) and every step of one draw (W3, W4) stay whole.
   */
  public static StepSplit rule(StepCost cost, int nmc) {
    long perDraw = cost.operationsPerDraw();
    if (perDraw <= 0) {
      return null;
    }
    long least = Math.max(CHUNK_OPERATIONS, CALL_SHARE * cost.operationsPerCall());
    int chunks = 1;
    while (chunks < MAX_CHUNKS) {
      StepSplit more = new StepSplit(nmc, (nmc + 2 * chunks - 1) / (2 * chunks));
      int last = more.draws(more.chunks() - 1);
      if (more.chunks() < 2 || last < cost.minimumChunkDraws() || last * perDraw < least) {
        break;
      }
      chunks *= 2;
    }
    return chunks == 1 ? null : new StepSplit(nmc, (nmc + chunks - 1) / chunks);
  }
  /** The number of chunks. */
  public int chunks() {
    return (nmc + chunkDraws - 1) / chunkDraws;
  }

  /** The first draw of chunk c. */
  public int start(int chunk) {
    return chunk * chunkDraws;
  }

  /** The draws of chunk c. */
  public int draws(int chunk) {
    return Math.min(chunkDraws, nmc - start(chunk));
  }
}
