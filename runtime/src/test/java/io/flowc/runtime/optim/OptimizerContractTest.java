package io.flowc.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every optimizer promises beyond its formula: state handling, factory, defaults, errors. */
class OptimizerContractTest {
  private static final int N = 7;

  static List<String> names() {
    return Optimizers.names();
  }

  /** A deterministic gradient that changes from step to step, with a zero and mixed signs. */
  private static void gradient(int step, double[] theta, double[] out) {
    for (int j = 0; j < out.length; j++) {
      out[j] = j == 3 ? 0.0 : Math.sin(1.7 * j + 0.3 * step) * (1 + j) + 0.1 * theta[j];
    }
  }

  private static double[] start() {
    double[] theta = new double[N];
    for (int j = 0; j < N; j++) {
      theta[j] = 0.25 * j - 0.8;
    }
    return theta;
  }

  /** Steps {@code count} times with the deterministic gradients, counting steps from the state's count. */
  private static void run(Optimizer optimizer, double[] theta, OptimizerState state, int count) {
    double[] g = new double[theta.length];
    for (int k = 0; k < count; k++) {
      gradient((int) state.steps(), theta, g);
      optimizer.step(theta, g, state);
    }
  }

  private static double[][] snapshot(OptimizerState state) {
    double[][] copy = new double[state.slotCount()][];
    for (int k = 0; k < copy.length; k++) {
      copy[k] = state.slot(k).clone();
    }
    return copy;
  }

  private static void assertSameState(OptimizerState expected, OptimizerState actual) {
    assertEquals(expected.steps(), actual.steps());
    assertEquals(expected.slotCount(), actual.slotCount());
    for (int k = 0; k < expected.slotCount(); k++) {
      assertArrayEquals(expected.slot(k), actual.slot(k), "slot " + k);
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void theGradientIsNeverWritten(String name) {
    Optimizer optimizer = Optimizers.byName(name, 0.05);
    double[] theta = start();
    OptimizerState state = optimizer.newState(N);
    double[] g = new double[N];
    for (int k = 0; k < 25; k++) {
      gradient(k, theta, g);
      double[] before = g.clone();
      optimizer.step(theta, g, state);
      assertArrayEquals(before, g, name + " wrote its gradient at step " + (k + 1));
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void aFreshStateIsZeroAndKeepsItsShape(String name) {
    Optimizer optimizer = Optimizers.byName(name, 0.05);
    OptimizerState state = optimizer.newState(N);
    assertEquals(0, state.steps());
    int slots = state.slotCount();
    double[][] arrays = new double[slots][];
    for (int k = 0; k < slots; k++) {
      arrays[k] = state.slot(k);
      assertArrayEquals(new double[N], arrays[k], name + " slot " + k + " not zero");
    }
    double[] theta = start();
    for (int step = 1; step <= 25; step++) { // past adagrad_window's 10 slots, so its index wraps
      run(optimizer, theta, state, 1);
      assertEquals(step, state.steps());
      assertEquals(slots, state.slotCount());
      for (int k = 0; k < slots; k++) {
        assertSame(arrays[k], state.slot(k), name + " replaced slot " + k);
        assertEquals(N, state.slot(k).length);
      }
    }
    for (double t : theta) {
      assertTrue(Double.isFinite(t));
    }
  }

  @Test
  void slotCountsPerOptimizer() {
    int[] expected = {0, 1, 1, 1, 10, 1, 2, 2, 2};
    for (int i = 0; i < expected.length; i++) {
      String name = Optimizers.names().get(i);
      assertEquals(expected[i], Optimizers.byName(name).newState(4).slotCount(), name);
    }
    assertEquals(50, new AdagradWindow(0.01, 0.1, 50).newState(4).slotCount());
    assertEquals(0, new Adam().newState(0).slot(0).length);
  }

  @ParameterizedTest
  @MethodSource("names")
  void aCopiedStateIsIndependent(String name) {
    Optimizer optimizer = Optimizers.byName(name, 0.05);
    double[] theta = start();
    OptimizerState original = optimizer.newState(N);
    run(optimizer, theta, original, 13);
    OptimizerState copy = original.copy();
    assertSameState(original, copy);
    for (int k = 0; k < original.slotCount(); k++) {
      assertNotSame(original.slot(k), copy.slot(k));
    }

    // from the same θ, the copy and the original step alike
    double[] thetaOriginal = theta.clone();
    double[] thetaCopy = theta.clone();
    run(optimizer, thetaOriginal, original, 4);
    run(optimizer, thetaCopy, copy, 4);
    assertArrayEquals(thetaOriginal, thetaCopy);
    assertSameState(original, copy);

    // stepping one leaves the other alone, both ways
    double[][] originalSlots = snapshot(original);
    long originalSteps = original.steps();
    run(optimizer, thetaCopy, copy, 3);
    assertEquals(originalSteps, original.steps());
    for (int k = 0; k < original.slotCount(); k++) {
      assertArrayEquals(originalSlots[k], original.slot(k));
    }
    double[][] copySlots = snapshot(copy);
    run(optimizer, thetaOriginal, original, 2);
    assertEquals(originalSteps + 3, copy.steps());
    for (int k = 0; k < copy.slotCount(); k++) {
      assertArrayEquals(copySlots[k], copy.slot(k));
    }
  }

  @Test
  void defaultsArePyMc3s() {
    // the table of spec §6
    assertEquals(new Sgd(1e-3), new Sgd());
    assertEquals(new Momentum(1e-3, 0.9), new Momentum());
    assertEquals(new NesterovMomentum(1e-3, 0.9), new NesterovMomentum());
    assertEquals(new Adagrad(1.0, 1e-6), new Adagrad());
    assertEquals(new AdagradWindow(0.001, 0.1, 10), new AdagradWindow());
    assertEquals(new RmsProp(1.0, 0.9, 1e-6), new RmsProp());
    assertEquals(new Adadelta(1.0, 0.95, 1e-6), new Adadelta());
    assertEquals(new Adam(1e-3, 0.9, 0.999, 1e-8), new Adam());
    assertEquals(new Adamax(2e-3, 0.9, 0.999, 1e-8), new Adamax());

    Adam adam = new Adam();
    assertEquals(1e-3, adam.learningRate());
    assertEquals(0.9, adam.beta1());
    assertEquals(0.999, adam.beta2());
    assertEquals(1e-8, adam.epsilon());
    AdagradWindow window = new AdagradWindow();
    assertEquals(0.001, window.learningRate());
    assertEquals(0.1, window.epsilon());
    assertEquals(10, window.nWin());
  }

  @Test
  void byNameGivesTheNineWithTheirDefaults() {
    assertEquals(List.of("sgd", "momentum", "nesterov_momentum", "adagrad", "adagrad_window", "rmsprop", "adadelta",
        "adam", "adamax"), Optimizers.names());
    List<Optimizer> defaults = List.of(new Sgd(), new Momentum(), new NesterovMomentum(), new Adagrad(),
        new AdagradWindow(), new RmsProp(), new Adadelta(), new Adam(), new Adamax());
    for (int i = 0; i < defaults.size(); i++) {
      String name = Optimizers.names().get(i);
      Optimizer optimizer = Optimizers.byName(name);
      assertEquals(defaults.get(i), optimizer);
      assertEquals(name, optimizer.name());
    }
  }

  @Test
  void byNameWithALearningRateKeepsTheOtherDefaults() {
    assertEquals(new Sgd(0.01), Optimizers.byName("sgd", 0.01));
    assertEquals(new Momentum(0.01, 0.9), Optimizers.byName("momentum", 0.01));
    assertEquals(new NesterovMomentum(0.01, 0.9), Optimizers.byName("nesterov_momentum", 0.01));
    assertEquals(new Adagrad(0.01, 1e-6), Optimizers.byName("adagrad", 0.01));
    // the notebook's adagrad_window(learning_rate=0.01): ε = 0.1, n_win = 10
    assertEquals(new AdagradWindow(0.01, 0.1, 10), Optimizers.byName("adagrad_window", 0.01));
    assertEquals(new RmsProp(0.01, 0.9, 1e-6), Optimizers.byName("rmsprop", 0.01));
    assertEquals(new Adadelta(0.01, 0.95, 1e-6), Optimizers.byName("adadelta", 0.01));
    assertEquals(new Adam(0.01, 0.9, 0.999, 1e-8), Optimizers.byName("adam", 0.01));
    assertEquals(new Adamax(0.01, 0.9, 0.999, 1e-8), Optimizers.byName("adamax", 0.01));
    for (String name : Optimizers.names()) {
      assertEquals(0.01, Optimizers.byName(name, 0.01).learningRate());
    }
  }

  @Test
  void anUnknownNameIsRejectedWithTheKnownOnes() {
    for (String bad : new String[] {"adamw", "Adam", " adam", "", "adagrad-window"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.byName(bad));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
      for (String known : Optimizers.names()) {
        assertTrue(e.getMessage().contains(known), e.getMessage());
      }
      assertThrows(IllegalArgumentException.class, () -> Optimizers.byName(bad, 0.1));
    }
    assertEquals("unknown optimizer 'lbfgs'; known optimizers: sgd, momentum, nesterov_momentum, adagrad, "
        + "adagrad_window, rmsprop, adadelta, adam, adamax",
        assertThrows(IllegalArgumentException.class, () -> Optimizers.byName("lbfgs")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Optimizers.byName(null));
  }

  @Test
  void badArgumentsAreRejected() {
    Adam adam = new Adam();
    OptimizerState state = adam.newState(3);
    assertThrows(IllegalArgumentException.class, () -> adam.step(new double[3], new double[2], state));
    assertThrows(IllegalArgumentException.class, () -> adam.step(new double[4], new double[4], state));
    double[] same = new double[3];
    assertThrows(IllegalArgumentException.class, () -> adam.step(same, same, state));
    // a state made by another optimizer
    assertThrows(IllegalArgumentException.class, () -> adam.step(new double[3], new double[3], new Adagrad().newState(3)));
    assertThrows(IllegalArgumentException.class,
        () -> new AdagradWindow().step(new double[3], new double[3], new AdagradWindow(0.1, 0.1, 5).newState(3)));
    assertEquals(0, state.steps(), "a rejected step counts");
    assertThrows(IllegalArgumentException.class, () -> adam.newState(-1));
    assertThrows(IllegalArgumentException.class, () -> new AdagradWindow(0.01, 0.1, 0));
    assertThrows(IllegalArgumentException.class, () -> new Sgd(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> Optimizers.byName("adam", Double.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 0.9, Double.NaN, 1e-8));
  }

  @Test
  void adagradWindowKeepsTheLastNWinSquaredGradients() {
    AdagradWindow window = new AdagradWindow(0.01, 0.1, 3);
    OptimizerState state = window.newState(1);
    double[] theta = {0};
    for (int k = 1; k <= 5; k++) {
      assertEquals((k - 1) % 3, window.writeIndex(state));
      window.step(theta, new double[] {k}, state);
    }
    // slots written in the order 0, 1, 2, 0, 1: g = 4 and 5 overwrote 1 and 2
    assertArrayEquals(new double[] {16}, state.slot(0));
    assertArrayEquals(new double[] {25}, state.slot(1));
    assertArrayEquals(new double[] {9}, state.slot(2));
    assertEquals(2, window.writeIndex(state));
  }

  @Test
  void stepsAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    List<Optimizer> optimizers = Optimizers.names().stream().map(name -> Optimizers.byName(name, 1e-3)).toList();
    OptimizerState[] states = new OptimizerState[optimizers.size()];
    for (int i = 0; i < states.length; i++) {
      states[i] = optimizers.get(i).newState(N);
    }
    double[] theta = start();
    double[] g = new double[N];
    for (int i = 0; i < N; i++) {
      g[i] = 0.3 * i - 1;
    }
    long allocated = Long.MAX_VALUE;
    for (int round = 0; round < 20 && allocated >= 1024; round++) {
      long before = threads.getThreadAllocatedBytes(thread);
      for (int k = 0; k < 2_000; k++) {
        for (int i = 0; i < states.length; i++) {
          optimizers.get(i).step(theta, g, states[i]);
        }
      }
      allocated = threads.getThreadAllocatedBytes(thread) - before;
    }
    assertTrue(allocated < 1024, "18000 steps allocated " + allocated + " bytes");
  }

  /**
   * Every optimizer's update is elementwise, and long parameter vectors are updated a block at a
   * time (Arguments.BLOCK): each of 1,300 elements (two whole blocks and a part) must end where
   * the same element alone ends, bit for bit, after steps with different gradients (adagrad_window
   * sums a block's windows slot by slot, an element alone its window in one loop).
   */
  @ParameterizedTest
  @MethodSource("names")
  void eachElementOfALongVectorIsUpdatedAsItWouldBeAlone(String name) {
    Optimizer optimizer = Optimizers.byName(name, 0.05);
    int n = 2 * Arguments.BLOCK + 276;
    double[] theta = new double[n];
    for (int j = 0; j < n; j++) {
      theta[j] = Math.cos(0.37 * j);
    }
    double[] start = theta.clone();
    OptimizerState state = optimizer.newState(n);
    double[][] gradients = new double[12][n]; // past adagrad_window's ten slots: its sums wrap around
    for (int k = 0; k < gradients.length; k++) {
      for (int j = 0; j < n; j++) {
        gradients[k][j] = Math.sin(0.91 * j + k) * (1 + j % 5);
      }
      optimizer.step(theta, gradients[k], state);
    }
    for (int j = 0; j < n; j++) {
      double[] alone = {start[j]};
      OptimizerState one = optimizer.newState(1);
      for (double[] g : gradients) {
        optimizer.step(alone, new double[] {g[j]}, one);
      }
      assertEquals(Double.doubleToRawLongBits(alone[0]), Double.doubleToRawLongBits(theta[j]), name + " element " + j);
      for (int k = 0; k < state.slotCount(); k++) {
        assertEquals(Double.doubleToRawLongBits(one.slot(k)[0]), Double.doubleToRawLongBits(state.slot(k)[j]),
            name + " slot " + k + " element " + j);
      }
    }
  }
}
