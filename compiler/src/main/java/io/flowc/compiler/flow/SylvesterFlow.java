package io.flowc.compiler.flow;

import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.runtime.flow.FlowSpec;

/**
 * {@code sylvester}, the orthogonal Sylvester flow, Householder variant (docs/spec/neural_flows.md
 * section 6, van den Berg et al. 2018): Q = H_1 ... H_M, R and R~ upper triangular with diagonals
 * tanh(rho) and tanh(rho~) so that |r_ii r~_ii| < 1, a = R~ Q^T x + b,
 * y = x + Q R tanh(a), log|det| = sum_i log(1 + (1 - tanh^2 a_i) r_ii r~_ii) (the paper's form,
 * whose Q factors cancel; Pyro 1.9's does not).
 */
final class SylvesterFlow {
  private SylvesterFlow() {}

  static FlowLowering.Result apply(Graph g, Node z, FlowParameters p, FlowSpec spec, int dimension) {
    int reflections = spec.options().reflections(dimension);
    Node v = p.get("v");
    Node[] rows = new Node[reflections];
    for (int j = 0; j < reflections; j++) {
      Node row = g.take(v, rowPositions(j, dimension));
      rows[j] = dimension == 1 ? g.place(row, 1, 0, new int[] {0}) : row; // take gives a scalar for one element
    }
    Node diagonal = g.apply(Op.TANH, p.get("rho"));
    Node diagonalTilde = g.apply(Op.TANH, p.get("rho_tilde"));
    Node r = triangle(g, p, "r", diagonal, dimension);
    Node rTilde = triangle(g, p, "r_tilde", diagonalTilde, dimension);
    // Q^T x = H_M ... H_1 x: the first reflection acts first
    Node qtx = z;
    for (int j = 0; j < reflections; j++) {
      qtx = reflect(g, qtx, rows[j]);
    }
    Node h = g.apply(Op.TANH, g.add(g.matvec(rTilde, qtx), p.get("b")));
    // Q u = H_1 ... H_M u: the last reflection acts first
    Node u = g.matvec(r, h);
    for (int j = reflections - 1; j >= 0; j--) {
      u = reflect(g, u, rows[j]);
    }
    Node slope = g.sub(g.constant(1), g.square(h));
    Node logDet = g.sum(g.log(g.add(g.constant(1), g.mul(slope, g.mul(diagonal, diagonalTilde)))));
    return new FlowLowering.Result(g.add(z, u), logDet);
  }

  private static int[] rowPositions(int j, int dimension) {
    int[] positions = new int[dimension];
    for (int i = 0; i < dimension; i++) {
      positions[i] = j * dimension + i;
    }
    return positions;
  }

  /** The strictly upper part (absent on d = 1) plus the diagonal. */
  private static Node triangle(Graph g, FlowParameters p, String name, Node diagonal, int dimension) {
    int[] positions = new int[dimension];
    for (int i = 0; i < dimension; i++) {
      positions[i] = i * dimension + i;
    }
    Node onDiagonal = g.place(diagonal, dimension, dimension, positions);
    return p.has(name) ? g.add(p.get(name), onDiagonal) : onDiagonal;
  }

  /** H u = u - 2 v (v.u) / (|v|^2 + 1e-10), PyMC3's Householder guard. */
  private static Node reflect(Graph g, Node u, Node v) {
    Node norm = g.add(g.sum(g.square(v)), g.constant(FlowLowering.EPSILON));
    return g.sub(u, g.mul(g.div(g.mul(g.constant(2), g.sum(g.mul(v, u))), norm), v));
  }
}
