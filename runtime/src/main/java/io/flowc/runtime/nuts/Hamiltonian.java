package io.flowc.runtime.nuts;

import io.flowc.runtime.LogDensity;

/**
 * Hamiltonian dynamics for a log density with a diagonal mass matrix, given by its inverse (the
 * variance vector PyMC3's {@code QuadPotentialDiagAdapt} adapts). The inverse-mass array is
 * shared with the adaptation, which updates it in place between iterations. One instance per
 * chain: it owns the density's workspace.
 */
final class Hamiltonian {
  private final LogDensity density;
  private final double[] inverseMass;
  private final double[] workspace;
  private long gradientEvaluations;

  Hamiltonian(LogDensity density, double[] inverseMass) {
    this.density = density;
    this.inverseMass = inverseMass;
    this.workspace = new double[density.workspaceSize()];
  }

  int dimension() {
    return inverseMass.length;
  }

  long gradientEvaluations() {
    return gradientEvaluations;
  }

  /** Evaluates log p and its gradient at {@code s.q}. */
  void evaluatePosition(PhaseState s) {
    s.logp = density.logDensityGradient(s.q, s.grad, workspace);
    gradientEvaluations++;
  }

  /** Sets the velocity and the energy from the momentum (position terms already evaluated). */
  void updateKinetic(PhaseState s) {
    double twiceKinetic = 0;
    double[] p = s.p;
    double[] v = s.v;
    for (int i = 0; i < p.length; i++) {
      v[i] = inverseMass[i] * p[i];
      twiceKinetic += p[i] * v[i];
    }
    s.energy = 0.5 * twiceKinetic - s.logp;
  }

  /**
   * One leapfrog step of size {@code epsilon} (negative to integrate backwards in time), in
   * place: p += eps/2 grad; q += eps M^-1 p; p += eps/2 grad(q new).
   */
  void leapfrog(PhaseState s, double epsilon) {
    double half = 0.5 * epsilon;
    double[] q = s.q;
    double[] p = s.p;
    double[] grad = s.grad;
    for (int i = 0; i < q.length; i++) {
      p[i] += half * grad[i];
      q[i] += epsilon * inverseMass[i] * p[i];
    }
    evaluatePosition(s);
    for (int i = 0; i < q.length; i++) {
      p[i] += half * grad[i];
    }
    updateKinetic(s);
  }
}
