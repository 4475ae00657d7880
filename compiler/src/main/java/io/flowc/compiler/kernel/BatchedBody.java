package io.flowc.compiler.kernel;

import java.util.List;

/**
 * An ELBO body that runs a block of up to {@code blockSize} draws at a time, draw index
 * innermost ({@link BatchMajor} makes it from the per-draw body). Each per-draw value (a
 * temporary, an element of the body's scratch space, an element of the base draw) has a row of
 * the workspace, {@code rowStride} doubles long: the value of draw b lies at
 * {@code row + 1 + b} (layout {@code [value][draw]}); the row's first element is where a sum over
 * the block's draws starts (see {@link BatchMajor}). Values the prologue wrote (and the model's
 * data) are read where they lie, once for every draw.
 *
 * <p>A block runs the segments in order. A {@link Segment#perBlock()} segment runs once, each of
 * its instructions a loop over the block's draws (the draw count is read from
 * {@code w[countSlot]}); the other segments (loops over long vectors) run once per draw, draw
 * b with base b, reaching the draw's values through {@link Kernel.Array#DRAWS}. Before the first
 * segment, the caller copies the block's base draws into their rows: draw b's element j to
 * {@code w[epsRows + j * rowStride + 1 + b]}.
 *
 * <p>A call with fewer than {@code minDraws} draws runs the per-draw body instead (see
 * {@link BatchMajor#MIN_DRAWS}).
 *
 * <p>Every per-draw value goes through the same operations in the same order as in the per-draw
 * body, and every sum over draws (the loss, the boundary gradients) adds the draws in order
 * 0, 1, 2, ..., starting from the accumulator as it stands, so loss and gradient are bit for bit
 * those of the per-draw body.
 */
public record BatchedBody(int blockSize, int rowStride, int countSlot, int epsRows, int workspaceSize,
    List<Segment> segments, int minDraws) {

  public BatchedBody {
    segments = List.copyOf(segments);
  }

  /**
   * Whether a segment runs products of weights all draws share ({@link Kernel.BlockMatVec},
   * {@link Kernel.BlockOuterSum}), which read each weight once for the block's draws.
   */
  public boolean hasBlockProducts() {
    return segments.stream().anyMatch(s -> hasBlockProducts(s.kernel().body()));
  }

  private static boolean hasBlockProducts(List<Kernel.Instr> instrs) {
    for (Kernel.Instr instr : instrs) {
      if (instr instanceof Kernel.BlockMatVec || instr instanceof Kernel.BlockOuterSum
          || instr instanceof Kernel.Call c && hasBlockProducts(c.body())
          || instr instanceof Kernel.Repeat r && hasBlockProducts(r.body())) {
        return true;
      }
    }
    return false;
  }

  /** A run of instructions, as one kernel, run once per block or once per draw. */
  public record Segment(boolean perBlock, Kernel kernel) {}
}
