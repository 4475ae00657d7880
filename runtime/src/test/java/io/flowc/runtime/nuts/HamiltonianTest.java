package io.flowc.runtime.nuts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The leapfrog integrator on a Gaussian: reversible to rounding, energy error of second order. */
class HamiltonianTest {
  private static final Gaussian TARGET = new Gaussian(new double[] {1, -2, 0.5}, new double[] {0.5, 2, 1});
  private static final double[] INVERSE_MASS = {0.3, 3, 1.2};

  private static PhaseState start(Hamiltonian h) {
    PhaseState s = new PhaseState(3);
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 3; i++) {
      s.q[i] = TARGET.mean(i) + TARGET.sd(i) * random.nextGaussian();
      s.p[i] = random.nextGaussian() / Math.sqrt(INVERSE_MASS[i]);
    }
    h.evaluatePosition(s);
    h.updateKinetic(s);
    return s;
  }

  @Test
  void integratingBackwardsReturnsToTheStart() {
    Hamiltonian h = new Hamiltonian(TARGET, INVERSE_MASS.clone());
    PhaseState s = start(h);
    PhaseState initial = new PhaseState(3);
    initial.copyFrom(s);
    for (int k = 0; k < 50; k++) {
      h.leapfrog(s, 0.2);
    }
    assertTrue(Math.abs(s.q[0] - initial.q[0]) > 0.01, "the trajectory moved");
    for (int k = 0; k < 50; k++) {
      h.leapfrog(s, -0.2);
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(initial.q[i], s.q[i], 1e-12);
      assertEquals(initial.p[i], s.p[i], 1e-12);
    }
    assertEquals(initial.energy, s.energy, 1e-12);
    assertEquals(101, h.gradientEvaluations());
  }

  /** The energy error over a fixed time shrinks as eps^2: quartering when eps halves. */
  @Test
  void energyErrorIsOfSecondOrder() {
    double[] errors = new double[3];
    double[] steps = {0.1, 0.05, 0.025};
    for (int k = 0; k < steps.length; k++) {
      Hamiltonian h = new Hamiltonian(TARGET, INVERSE_MASS.clone());
      PhaseState s = start(h);
      double h0 = s.energy;
      double worst = 0;
      for (int t = 0; t < Math.round(3 / steps[k]); t++) {
        h.leapfrog(s, steps[k]);
        worst = Math.max(worst, Math.abs(s.energy - h0));
      }
      errors[k] = worst;
    }
    assertTrue(errors[0] < 0.05, "energy error " + errors[0]);
    for (int k = 1; k < steps.length; k++) {
      double ratio = errors[k - 1] / errors[k];
      assertTrue(ratio > 3.5 && ratio < 4.5, "error ratio " + ratio);
    }
  }

  @Test
  void kineticEnergyUsesTheInverseMass() {
    Hamiltonian h = new Hamiltonian(TARGET, INVERSE_MASS.clone());
    PhaseState s = new PhaseState(3);
    s.q[0] = 1;
    s.q[1] = -2;
    s.q[2] = 0.5;
    s.p[0] = 1;
    s.p[1] = 2;
    s.p[2] = -1;
    h.evaluatePosition(s);
    h.updateKinetic(s);
    assertEquals(0, s.logp, 0);
    assertEquals(0.5 * (0.3 + 4 * 3 + 1.2), s.energy, 1e-15);
    assertEquals(6, s.v[1], 0);
  }
}
