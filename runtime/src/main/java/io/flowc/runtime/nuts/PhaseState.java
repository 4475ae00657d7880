package io.flowc.runtime.nuts;

/**
 * A point of the Hamiltonian system: position q, momentum p, velocity v = M^-1 p, the gradient
 * of log p at q, log p(q) and the total energy H = p.v/2 - log p(q). Arrays are allocated once
 * and updated in place.
 */
final class PhaseState {
  final double[] q;
  final double[] p;
  final double[] v;
  final double[] grad;
  double logp;
  double energy;

  PhaseState(int dimension) {
    q = new double[dimension];
    p = new double[dimension];
    v = new double[dimension];
    grad = new double[dimension];
  }

  void copyFrom(PhaseState other) {
    int n = q.length;
    System.arraycopy(other.q, 0, q, 0, n);
    System.arraycopy(other.p, 0, p, 0, n);
    System.arraycopy(other.v, 0, v, 0, n);
    System.arraycopy(other.grad, 0, grad, 0, n);
    logp = other.logp;
    energy = other.energy;
  }
}
