package io.flowc.compiler.flow;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Node;
import io.flowc.runtime.flow.Conditioners;

/** Pieces of the draw and of conditioner outputs that the neural flows share. */
final class Coordinates {
  private Coordinates() {}

  /** The coordinates {@code indices} (ascending and contiguous, as coupling halves are) of z, as a vector. */
  static Node part(Graph g, Node z, int[] indices) {
    return g.slice(z, indices[0], indices.length);
  }

  /** zuko's soft clip of a log-scale, a / (1 + |a| / ln 1000) (spec section 3): smooth, |a'| < ln 1000. */
  static Node softClip(Graph g, Node a) {
    return g.div(a, g.add(g.constant(1), g.div(g.apply(io.flowc.compiler.ir.Op.ABS, a), g.constant(Conditioners.SOFT_CLIP))));
  }

  /** The coupling's output in coordinate order: x_A untouched, y_B in B's places (A first for even k). */
  static Node join(Graph g, Node conditioning, Node transformed, int k) {
    return k % 2 == 0 ? g.concat(conditioning, transformed) : g.concat(transformed, conditioning);
  }
}
