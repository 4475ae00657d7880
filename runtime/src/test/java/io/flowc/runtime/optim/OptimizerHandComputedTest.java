package io.flowc.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * The first three updates of every optimizer on a fixed gradient sequence, against values worked
 * out here from the formulas of the spec (§6), step by step and element by element, in the
 * operation order of the formulas as written (Lasagne's): θ and every state slot after each step
 * must agree within 1e-15 relative. Each optimizer runs once with PyMC3's defaults and once with
 * other hyper-parameters, so that a hyper-parameter used in the wrong place shows up.
 */
class OptimizerHandComputedTest {
  private static final int N = 3;
  private static final double[] TH0 = {0.1, -0.2, 0.3};
  private static final double[] G1 = {0.5, -2.0, 0.0};
  private static final double[] G2 = {1.5, 0.25, -1.0};
  private static final double[] G3 = {-0.75, 1.0, 3.0};

  // --- the harness: step the optimizer and compare -------------------------------------------

  private static void close(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int j = 0; j < expected.length; j++) {
      double e = expected[j];
      double a = actual[j];
      if (!(Math.abs(e - a) <= 1e-15 * Math.abs(e))) {
        fail(what + "[" + j + "]: expected " + e + " but was " + a);
      }
    }
  }

  /**
   * Steps {@code optimizer} from θ0 through g1, g2, g3; after step s (1-based) θ must equal
   * {@code theta[s-1]} and slot k of the state {@code slots[s-1][k]}.
   */
  private static void assertSteps(Optimizer optimizer, double[][] theta, double[][][] slots) {
    double[] th = TH0.clone();
    OptimizerState state = optimizer.newState(N);
    double[][] gradients = {G1, G2, G3};
    for (int s = 0; s < 3; s++) {
      optimizer.step(th, gradients[s].clone(), state);
      String after = optimizer + " after step " + (s + 1);
      close(theta[s], th, after + ": theta");
      assertEquals(slots[s].length, state.slotCount(), after + ": slot count");
      for (int k = 0; k < slots[s].length; k++) {
        close(slots[s][k], state.slot(k), after + ": slot " + k);
      }
      assertEquals(s + 1, state.steps());
    }
  }

  private static double[][] noSlots() {
    return new double[0][];
  }

  /** β^t: the exact power rounded once, as C's pow (Theano's) gives it in practice. */
  private static double power(double beta, int t) {
    return new BigDecimal(beta).pow(t).doubleValue();
  }

  // --- sgd: θ ← θ − ηg -----------------------------------------------------------------------

  private static void sgd(Optimizer optimizer, double eta) {
    double[] th1 = new double[N];
    double[] th2 = new double[N];
    double[] th3 = new double[N];
    for (int j = 0; j < N; j++) {
      th1[j] = TH0[j] - eta * G1[j];
      th2[j] = th1[j] - eta * G2[j];
      th3[j] = th2[j] - eta * G3[j];
    }
    assertSteps(optimizer, new double[][] {th1, th2, th3}, new double[][][] {noSlots(), noSlots(), noSlots()});
  }

  @Test
  void sgd() {
    sgd(new Sgd(), 1e-3);
    sgd(new Sgd(0.05), 0.05);
    // in decimals, with η = 1e-3: θ1 = θ0 − 1e-3 g1 and so on
    close(new double[] {0.09875, -0.19925, 0.298}, threeSteps(new Sgd()), "sgd in decimals");
  }

  // --- momentum: x = μv + (θ − ηg); v ← x − θ; θ ← x -------------------------------------------

  private static void momentum(Optimizer optimizer, double eta, double mu) {
    double[] th1 = new double[N];
    double[] th2 = new double[N];
    double[] th3 = new double[N];
    double[] v1 = new double[N];
    double[] v2 = new double[N];
    double[] v3 = new double[N];
    for (int j = 0; j < N; j++) {
      double x1 = mu * 0.0 + (TH0[j] - eta * G1[j]);
      v1[j] = x1 - TH0[j];
      th1[j] = x1;
      double x2 = mu * v1[j] + (th1[j] - eta * G2[j]);
      v2[j] = x2 - th1[j];
      th2[j] = x2;
      double x3 = mu * v2[j] + (th2[j] - eta * G3[j]);
      v3[j] = x3 - th2[j];
      th3[j] = x3;
    }
    assertSteps(optimizer, new double[][] {th1, th2, th3}, new double[][][] {{v1}, {v2}, {v3}});
  }

  @Test
  void momentum() {
    momentum(new Momentum(), 1e-3, 0.9);
    momentum(new Momentum(0.05, 0.8), 0.05, 0.8);
    // in decimals (η = 1e-3, μ = 0.9): v1 = −ηg1 = (−0.0005, 0.002, 0), θ1 = (0.0995, −0.198, 0.3);
    // v2 = μv1 − ηg2 = (−0.00195, 0.00155, 0.001), θ2 = (0.09755, −0.19645, 0.301);
    // v3 = μv2 − ηg3 = (−0.001005, 0.000395, −0.0021), θ3 = (0.096545, −0.196055, 0.2989)
    close(new double[] {0.096545, -0.196055, 0.2989}, threeSteps(new Momentum()), "momentum in decimals");
  }

  // --- nesterov_momentum: x = μv − ηg; v ← x; θ ← (θ − ηg) + μx -------------------------------

  private static void nesterov(Optimizer optimizer, double eta, double mu) {
    double[] th1 = new double[N];
    double[] th2 = new double[N];
    double[] th3 = new double[N];
    double[] v1 = new double[N];
    double[] v2 = new double[N];
    double[] v3 = new double[N];
    for (int j = 0; j < N; j++) {
      v1[j] = mu * 0.0 - eta * G1[j];
      th1[j] = (TH0[j] - eta * G1[j]) + mu * v1[j];
      v2[j] = mu * v1[j] - eta * G2[j];
      th2[j] = (th1[j] - eta * G2[j]) + mu * v2[j];
      v3[j] = mu * v2[j] - eta * G3[j];
      th3[j] = (th2[j] - eta * G3[j]) + mu * v3[j];
    }
    assertSteps(optimizer, new double[][] {th1, th2, th3}, new double[][][] {{v1}, {v2}, {v3}});
  }

  @Test
  void nesterovMomentum() {
    nesterov(new NesterovMomentum(), 1e-3, 0.9);
    nesterov(new NesterovMomentum(0.05, 0.8), 0.05, 0.8);
    // in decimals (η = 1e-3, μ = 0.9): the velocities are momentum's; θ1 = θ0 − ηg1 + μv1 =
    // (0.09905, −0.1962, 0.3), θ2 = (0.095795, −0.195055, 0.3019), θ3 = (0.0956405, −0.1956995, 0.29701)
    close(new double[] {0.0956405, -0.1956995, 0.29701}, threeSteps(new NesterovMomentum()), "nesterov in decimals");
  }

  /** θ after three steps of {@code optimizer} from θ0 through g1, g2, g3. */
  private static double[] threeSteps(Optimizer optimizer) {
    double[] th = TH0.clone();
    OptimizerState state = optimizer.newState(N);
    optimizer.step(th, G1, state);
    optimizer.step(th, G2, state);
    optimizer.step(th, G3, state);
    return th;
  }

  // --- adagrad: A ← A + g²; θ ← θ − ηg / √(A + ε) ----------------------------------------------

  private static void adagrad(Optimizer optimizer, double eta, double eps) {
    double[] th1 = new double[N];
    double[] th2 = new double[N];
    double[] th3 = new double[N];
    double[] a1 = new double[N];
    double[] a2 = new double[N];
    double[] a3 = new double[N];
    for (int j = 0; j < N; j++) {
      a1[j] = 0.0 + G1[j] * G1[j];
      th1[j] = TH0[j] - eta * G1[j] / Math.sqrt(a1[j] + eps);
      a2[j] = a1[j] + G2[j] * G2[j];
      th2[j] = th1[j] - eta * G2[j] / Math.sqrt(a2[j] + eps);
      a3[j] = a2[j] + G3[j] * G3[j];
      th3[j] = th2[j] - eta * G3[j] / Math.sqrt(a3[j] + eps);
    }
    assertSteps(optimizer, new double[][] {th1, th2, th3}, new double[][][] {{a1}, {a2}, {a3}});
  }

  @Test
  void adagrad() {
    adagrad(new Adagrad(), 1.0, 1e-6);
    adagrad(new Adagrad(0.5, 1e-4), 0.5, 1e-4);
  }

  // --- adagrad_window: W[i] ← g²; i ← (i+1) mod n_win; θ ← θ − ηg / √(Σ_k W_k + ε) ------------

  @Test
  void adagradWindowWithItsDefaults() {
    // η = 1e-3, ε = 0.1, n_win = 10: in three steps the write index goes 0, 1, 2; slots 3..9 stay zero
    double eta = 1e-3;
    double eps = 0.1;
    double[] th1 = new double[N];
    double[] th2 = new double[N];
    double[] th3 = new double[N];
    double[] w0 = new double[N];
    double[] w1 = new double[N];
    double[] w2 = new double[N];
    double[] zero = new double[N];
    for (int j = 0; j < N; j++) {
      w0[j] = G1[j] * G1[j]; // step 1 writes slot 0
      double sum1 = w0[j]; // + seven zero slots
      th1[j] = TH0[j] - eta * G1[j] / Math.sqrt(sum1 + eps);
      w1[j] = G2[j] * G2[j]; // step 2 writes slot 1
      double sum2 = w0[j] + w1[j];
      th2[j] = th1[j] - eta * G2[j] / Math.sqrt(sum2 + eps);
      w2[j] = G3[j] * G3[j]; // step 3 writes slot 2
      double sum3 = w0[j] + w1[j] + w2[j];
      th3[j] = th2[j] - eta * G3[j] / Math.sqrt(sum3 + eps);
    }
    double[][] afterStep1 = {w0, zero, zero, zero, zero, zero, zero, zero, zero, zero};
    double[][] afterStep2 = {w0, w1, zero, zero, zero, zero, zero, zero, zero, zero};
    double[][] afterStep3 = {w0, w1, w2, zero, zero, zero, zero, zero, zero, zero};
    assertSteps(new AdagradWindow(), new double[][] {th1, th2, th3}, new double[][][] {afterStep1, afterStep2, afterStep3});
  }

  @Test
  void adagradWindowWrapsItsWriteIndex() {
    // η = 0.01, ε = 0.2, n_win = 2: the index goes 0, 1, then wraps to 0, so step 3 overwrites g1²
    double eta = 0.01;
    double eps = 0.2;
    double[] th1 = new double[N];
    double[] th2 = new double[N];
    double[] th3 = new double[N];
    double[] w0step1 = new double[N];
    double[] w1step2 = new double[N];
    double[] w0step3 = new double[N];
    double[] zero = new double[N];
    for (int j = 0; j < N; j++) {
      w0step1[j] = G1[j] * G1[j];
      th1[j] = TH0[j] - eta * G1[j] / Math.sqrt(w0step1[j] + 0.0 + eps);
      w1step2[j] = G2[j] * G2[j];
      th2[j] = th1[j] - eta * G2[j] / Math.sqrt(w0step1[j] + w1step2[j] + eps);
      w0step3[j] = G3[j] * G3[j];
      th3[j] = th2[j] - eta * G3[j] / Math.sqrt(w0step3[j] + w1step2[j] + eps); // g1² is gone
    }
    assertSteps(new AdagradWindow(eta, eps, 2), new double[][] {th1, th2, th3},
        new double[][][] {{w0step1, zero}, {w0step1, w1step2}, {w0step3, w1step2}});
  }

  // --- rmsprop: A ← ρA + (1−ρ)g²; θ ← θ − ηg / √(A + ε) -----------------------------------------

  private static void rmsprop(Optimizer optimizer, double eta, double rho, double eps) {
    double[] th1 = new double[N];
    double[] th2 = new double[N];
    double[] th3 = new double[N];
    double[] a1 = new double[N];
    double[] a2 = new double[N];
    double[] a3 = new double[N];
    for (int j = 0; j < N; j++) {
      a1[j] = rho * 0.0 + (1 - rho) * (G1[j] * G1[j]);
      th1[j] = TH0[j] - eta * G1[j] / Math.sqrt(a1[j] + eps);
      a2[j] = rho * a1[j] + (1 - rho) * (G2[j] * G2[j]);
      th2[j] = th1[j] - eta * G2[j] / Math.sqrt(a2[j] + eps);
      a3[j] = rho * a2[j] + (1 - rho) * (G3[j] * G3[j]);
      th3[j] = th2[j] - eta * G3[j] / Math.sqrt(a3[j] + eps);
    }
    assertSteps(optimizer, new double[][] {th1, th2, th3}, new double[][][] {{a1}, {a2}, {a3}});
  }

  @Test
  void rmsprop() {
    rmsprop(new RmsProp(), 1.0, 0.9, 1e-6);
    rmsprop(new RmsProp(0.5, 0.8, 1e-4), 0.5, 0.8, 1e-4);
  }

  // --- adadelta: A ← ρA + (1−ρ)g²; Δ = g√(D + ε)/√(A + ε) (old D); θ ← θ − ηΔ; D ← ρD + (1−ρ)Δ²

  private static void adadelta(Optimizer optimizer, double eta, double rho, double eps) {
    double[] th1 = new double[N];
    double[] th2 = new double[N];
    double[] th3 = new double[N];
    double[] a1 = new double[N];
    double[] a2 = new double[N];
    double[] a3 = new double[N];
    double[] d1 = new double[N];
    double[] d2 = new double[N];
    double[] d3 = new double[N];
    for (int j = 0; j < N; j++) {
      a1[j] = rho * 0.0 + (1 - rho) * (G1[j] * G1[j]);
      double delta1 = G1[j] * Math.sqrt(0.0 + eps) / Math.sqrt(a1[j] + eps); // D0 = 0
      th1[j] = TH0[j] - eta * delta1;
      d1[j] = rho * 0.0 + (1 - rho) * (delta1 * delta1);

      a2[j] = rho * a1[j] + (1 - rho) * (G2[j] * G2[j]);
      double delta2 = G2[j] * Math.sqrt(d1[j] + eps) / Math.sqrt(a2[j] + eps);
      th2[j] = th1[j] - eta * delta2;
      d2[j] = rho * d1[j] + (1 - rho) * (delta2 * delta2);

      a3[j] = rho * a2[j] + (1 - rho) * (G3[j] * G3[j]);
      double delta3 = G3[j] * Math.sqrt(d2[j] + eps) / Math.sqrt(a3[j] + eps);
      th3[j] = th2[j] - eta * delta3;
      d3[j] = rho * d2[j] + (1 - rho) * (delta3 * delta3);
    }
    assertSteps(optimizer, new double[][] {th1, th2, th3}, new double[][][] {{a1, d1}, {a2, d2}, {a3, d3}});
  }

  @Test
  void adadelta() {
    adadelta(new Adadelta(), 1.0, 0.95, 1e-6);
    adadelta(new Adadelta(0.5, 0.8, 1e-4), 0.5, 0.8, 1e-4);
  }

  // --- adam: a_t = η√(1−β₂ᵗ)/(1−β₁ᵗ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − a_t m/(√v + ε)

  private static void adam(Optimizer optimizer, double eta, double b1, double b2, double eps) {
    double at1 = eta * Math.sqrt(1 - power(b2, 1)) / (1 - power(b1, 1));
    double at2 = eta * Math.sqrt(1 - power(b2, 2)) / (1 - power(b1, 2));
    double at3 = eta * Math.sqrt(1 - power(b2, 3)) / (1 - power(b1, 3));
    double[] th1 = new double[N];
    double[] th2 = new double[N];
    double[] th3 = new double[N];
    double[] m1 = new double[N];
    double[] m2 = new double[N];
    double[] m3 = new double[N];
    double[] v1 = new double[N];
    double[] v2 = new double[N];
    double[] v3 = new double[N];
    for (int j = 0; j < N; j++) {
      m1[j] = b1 * 0.0 + (1 - b1) * G1[j];
      v1[j] = b2 * 0.0 + (1 - b2) * (G1[j] * G1[j]);
      th1[j] = TH0[j] - at1 * m1[j] / (Math.sqrt(v1[j]) + eps);
      m2[j] = b1 * m1[j] + (1 - b1) * G2[j];
      v2[j] = b2 * v1[j] + (1 - b2) * (G2[j] * G2[j]);
      th2[j] = th1[j] - at2 * m2[j] / (Math.sqrt(v2[j]) + eps);
      m3[j] = b1 * m2[j] + (1 - b1) * G3[j];
      v3[j] = b2 * v2[j] + (1 - b2) * (G3[j] * G3[j]);
      th3[j] = th2[j] - at3 * m3[j] / (Math.sqrt(v3[j]) + eps);
    }
    assertSteps(optimizer, new double[][] {th1, th2, th3}, new double[][][] {{m1, v1}, {m2, v2}, {m3, v3}});
  }

  @Test
  void adam() {
    adam(new Adam(), 1e-3, 0.9, 0.999, 1e-8);
    adam(new Adam(0.01, 0.8, 0.99, 1e-4), 0.01, 0.8, 0.99, 1e-4);
  }

  // --- adamax: a_t = η/(1−β₁ᵗ); m ← β₁m + (1−β₁)g; u ← max(β₂u, |g|); θ ← θ − a_t m/(u + ε) ---

  private static void adamax(Optimizer optimizer, double eta, double b1, double b2, double eps) {
    double at1 = eta / (1 - power(b1, 1));
    double at2 = eta / (1 - power(b1, 2));
    double at3 = eta / (1 - power(b1, 3));
    double[] th1 = new double[N];
    double[] th2 = new double[N];
    double[] th3 = new double[N];
    double[] m1 = new double[N];
    double[] m2 = new double[N];
    double[] m3 = new double[N];
    double[] u1 = new double[N];
    double[] u2 = new double[N];
    double[] u3 = new double[N];
    for (int j = 0; j < N; j++) {
      m1[j] = b1 * 0.0 + (1 - b1) * G1[j];
      u1[j] = Math.max(b2 * 0.0, Math.abs(G1[j]));
      th1[j] = TH0[j] - at1 * m1[j] / (u1[j] + eps);
      m2[j] = b1 * m1[j] + (1 - b1) * G2[j];
      u2[j] = Math.max(b2 * u1[j], Math.abs(G2[j]));
      th2[j] = th1[j] - at2 * m2[j] / (u2[j] + eps);
      m3[j] = b1 * m2[j] + (1 - b1) * G3[j];
      u3[j] = Math.max(b2 * u2[j], Math.abs(G3[j]));
      th3[j] = th2[j] - at3 * m3[j] / (u3[j] + eps);
    }
    // the decayed maximum is kept where it wins: u2[1] = β₂·|−2| beats |0.25|
    assertEquals(b2 * 2.0, u2[1]);
    assertSteps(optimizer, new double[][] {th1, th2, th3}, new double[][][] {{m1, u1}, {m2, u2}, {m3, u3}});
  }

  @Test
  void adamax() {
    adamax(new Adamax(), 2e-3, 0.9, 0.999, 1e-8);
    adamax(new Adamax(0.01, 0.8, 0.99, 1e-4), 0.01, 0.8, 0.99, 1e-4);
  }
}
