package io.flowc.runtime.optim;

/**
 * A first-order optimizer in PyMC3's form (its {@code updates.py}, after Lasagne): the state is
 * explicit, created by {@link #newState}, so a fit can be restarted, copied or checkpointed; a
 * step updates theta in place from a gradient it never modifies.
 */
public interface Optimizer {
  /** PyMC3's name: sgd, momentum, nesterov_momentum, adagrad, adagrad_window, rmsprop, adadelta, adam, adamax. */
  String name();

  /** The learning rate in use. */
  double learningRate();

  /** Fresh state for {@code n} parameters: every slot zero, step count zero. */
  OptimizerState newState(int n);

  /** One simultaneous update of theta and the state from {@code gradient} (left untouched). */
  void step(double[] theta, double[] gradient, OptimizerState state);
}
