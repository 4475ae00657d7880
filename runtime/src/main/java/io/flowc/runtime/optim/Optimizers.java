package io.flowc.runtime.optim;

import java.util.List;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;

/** PyMC3's optimizers by name, with its defaults. */
public final class Optimizers {
  private Optimizers() {}

  private record Entry(String name, Supplier<Optimizer> defaults, DoubleFunction<Optimizer> withLearningRate) {}

  private static final List<Entry> ENTRIES = List.of(
      new Entry("sgd", Sgd::new, Sgd::new),
      new Entry("momentum", Momentum::new, Momentum::new),
      new Entry("nesterov_momentum", NesterovMomentum::new, NesterovMomentum::new),
      new Entry("adagrad", Adagrad::new, Adagrad::new),
      new Entry("adagrad_window", AdagradWindow::new, AdagradWindow::new),
      new Entry("rmsprop", RmsProp::new, RmsProp::new),
      new Entry("adadelta", Adadelta::new, Adadelta::new),
      new Entry("adam", Adam::new, Adam::new),
      new Entry("adamax", Adamax::new, Adamax::new));

  private static final List<String> NAMES = ENTRIES.stream().map(Entry::name).toList();

  /** The nine names, in the order of PyMC3's {@code updates.py}. */
  public static List<String> names() {
    return NAMES;
  }

  /** The optimizer called {@code name} with all of PyMC3's defaults. */
  public static Optimizer byName(String name) {
    return entry(name).defaults().get();
  }

  /** The optimizer called {@code name} with PyMC3's defaults but {@code learningRate}. */
  public static Optimizer byName(String name, double learningRate) {
    return entry(name).withLearningRate().apply(learningRate);
  }

  private static Entry entry(String name) {
    for (Entry e : ENTRIES) {
      if (e.name().equals(name)) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "unknown optimizer '" + name + "'; known optimizers: " + String.join(", ", NAMES));
  }
}
