package io.flowc.runtime.nfvi;

/**
 * How a fit splits each step's draws into chunks that threads compute apart: chunk c holds draws
 * {@code [c * chunkDraws, min((c + 1) * chunkDraws, nmc))}; each chunk's mean loss and gradient
 * come from its own call of the kernel, and the step's are their draw-weighted sum in chunk order
 * (docs/performance.md, "Threads in one fit"). The split depends on the kernel's cost per draw and
 * nmc only, never on the number of threads, so a fit gives the same bits on any number of threads;
 * those bits differ from an unsplit fit's, whose sums over draws run in one pass.
 */
public record StepSplit(int nmc, int chunkDraws) {
  /**
   * Fewest operations in a chunk (a power of two, 2 M). A split step hands its chunks to the other
   * threads and waits for the last one, some tens of microseconds on a busy machine, and each
   * chunk runs the kernel's prologue and epilogue and adds its gradient into the step's; a chunk
   * of 2 M operations (0.5 to 1 ms) earns that back. W1's whole steps (planar*8, 100 draws of
   * 468 operations: 47 K, about 40 µs) never split.
   */
  public static final long CHUNK_OPERATIONS = 1L << 21;

  /**
   * Fewest draws in a chunk: one whole block of the batch-major body
   * (io.flowc.compiler.kernel.BatchMajor.BLOCK_SIZE), whose block products read each weight once
   * for the block's draws. W7 (nsf(hidden=64)*3, 91 K operations per draw, nmc 256) splits into 2
   * chunks of 128 draws; on one thread chunks of 32 draws ran its steps 24 % slower than unsplit,
   * of 128 draws 4-13 % (docs/performance.md, "Threads in one fit").
   */
  public static final int MIN_CHUNK_DRAWS = 128;

  public StepSplit {
    if (nmc < 1 || chunkDraws < 1 || chunkDraws > nmc) {
      throw new IllegalArgumentException("a split needs 1 <= chunkDraws <= nmc, got " + chunkDraws + " of " + nmc);
    }
  }

  /**
   * The compiler's rule: chunks of a step of {@code nmc} draws costing {@code operationsPerDraw}
   * each (io.flowc.compiler.kernel.BatchMajor.operationsPerDraw; 0 if unknown) hold the fewest
   * draws that make {@link #CHUNK_OPERATIONS}, rounded up to a power of two (nmc is often one, and
   * equal chunks share the threads evenly), at least {@link #MIN_CHUNK_DRAWS}; a step that is not
   * more than one chunk runs unsplit (null). Nothing here depends on the number of threads.
   */
  public static StepSplit rule(long operationsPerDraw, int nmc) {
    if (operationsPerDraw <= 0) {
      return null;
    }
    long least = (CHUNK_OPERATIONS + operationsPerDraw - 1) / operationsPerDraw;
    long draws = MIN_CHUNK_DRAWS;
    while (draws < least) {
      draws *= 2;
    }
    return draws >= nmc ? null : new StepSplit(nmc, (int) draws);
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
