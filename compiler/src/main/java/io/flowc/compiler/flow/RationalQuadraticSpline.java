package io.flowc.compiler.flow;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.runtime.flow.Conditioners;
import io.flowc.runtime.flow.FlowOptions;

/**
 * The monotone rational-quadratic spline of docs/spec/neural_flows.md section 5 (Durkan et al. 2019)
 * on [-B, B] with K bins and the identity outside. Its raw parameters are the {@code 3K - 1}
 * conditioner outputs of one coordinate: K width logits, K height logits, K - 1 interior
 * derivative values. The bin is found by comparing x with the knots (SEARCH); the chosen bin's
 * knots and derivatives are picked (PICK), so gradients flow through the chosen bin only and the
 * choice itself has none.
 */
final class RationalQuadraticSpline {
  private RationalQuadraticSpline() {}

  /** y and the log|dy/dx| of one coordinate. */
  record Value(Node y, Node logDet) {}

  /** The spline of coordinate {@code x} (a scalar) whose raw parameters are chunk {@code variable} of {@code raw}. */
  static Value apply(Graph g, Node x, Node raw, int variable, FlowOptions options) {
    int bins = options.bins();
    double bound = options.bound();
    int offset = variable * (3 * bins - 1);
    Node xKnots = knots(g, g.slice(raw, offset, bins), bins, bound);
    Node yKnots = knots(g, g.slice(raw, offset + bins, bins), bins, bound);
    Node one = g.constant(1);
    // delta_0 = delta_K = 1 matches the identity tails; interior delta_k = m_d + softplus(theta_k)
    Node interior = g.add(g.constant(Conditioners.MIN_DERIVATIVE),
        g.apply(Op.SOFTPLUS, g.slice(raw, offset + 2 * bins, bins - 1)));
    Node derivatives = g.concat(one, interior, one);

    Node bin = g.search(xKnots, x);
    Node next = g.add(bin, one);
    Node x0 = g.pick(xKnots, bin);
    Node x1 = g.pick(xKnots, next);
    Node y0 = g.pick(yKnots, bin);
    Node y1 = g.pick(yKnots, next);
    Node d0 = g.pick(derivatives, bin);
    Node d1 = g.pick(derivatives, next);
    Node width = g.sub(x1, x0);
    Node height = g.sub(y1, y0);
    Node s = g.div(height, width);
    // clipped so that rounding never leaves the bin (bayesflow's fix); on ties the raw value keeps its gradient
    Node xi = g.apply(Op.MIN, g.apply(Op.MAX, g.div(g.sub(x, x0), width), g.constant(0)), one);
    Node oneMinusXi = g.sub(one, xi);
    Node xiTerm = g.mul(xi, oneMinusXi);
    Node denominator = g.add(s, g.mul(g.sub(g.add(d1, d0), g.mul(g.constant(2), s)), xiTerm));
    Node numerator = g.mul(height, g.add(g.mul(s, g.square(xi)), g.mul(d0, xiTerm)));
    Node inside = g.add(y0, g.div(numerator, denominator));
    Node slope = g.add(g.add(g.mul(d1, g.square(xi)), g.mul(g.mul(g.constant(2), s), xiTerm)),
        g.mul(d0, g.square(oneMinusXi)));
    // log(s^2 slope / D^2), as a sum of logs: each factor is positive
    Node logDerivative = g.sub(g.add(g.mul(g.constant(2), g.log(s)), g.log(slope)),
        g.mul(g.constant(2), g.log(denominator)));
    Node within = g.apply(Op.AND, g.apply(Op.GE, x, g.constant(-bound)), g.apply(Op.LE, x, g.constant(bound)));
    return new Value(g.select(within, inside, x), g.select(within, logDerivative, g.constant(0)));
  }

  /**
   * The K + 1 knots from K logits: w = m + (1 - K m) softmax(theta), softmax through logsumexp;
   * x_0 = -B, x_k = -B + 2B cumsum(w)_k, x_K = B exactly.
   */
  static Node knots(Graph g, Node logits, int bins, double bound) {
    Node softmax = g.exp(g.sub(logits, g.apply(Op.LOGSUMEXP, logits)));
    Node widths = g.add(g.constant(Conditioners.MIN_BIN), g.mul(g.constant(1 - bins * Conditioners.MIN_BIN), softmax));
    Node cumulative = g.slice(g.cumsum(widths), 0, bins - 1);
    Node interior = g.add(g.constant(-bound), g.mul(g.constant(2 * bound), cumulative));
    return g.concat(g.constant(-bound), interior, g.constant(bound));
  }
}
