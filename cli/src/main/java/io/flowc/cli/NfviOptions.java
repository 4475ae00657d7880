package io.flowc.cli;

import io.flowc.runtime.nfvi.FitCallback;
import io.flowc.runtime.nfvi.Nfvi;
import io.flowc.runtime.optim.Optimizer;
import io.flowc.runtime.optim.Optimizers;
import java.util.List;
import picocli.CommandLine.Option;

/** How an NFVI fit runs: the options {@code fit} and {@code fit-many} share (a picocli mixin). */
final class NfviOptions {
  @Option(names = "--iters", paramLabel = "N", description = "Iterations (default 10000).")
  int iterations = 10_000;

  @Option(names = "--nmc", paramLabel = "K", description = "Base draws per iteration (PyMC3's obj_n_mc; default 1).")
  int nmc = 1;

  @Option(names = "--optimizer", paramLabel = "NAME", description = "sgd, momentum, nesterov_momentum, adagrad, "
      + "adagrad_window (default), rmsprop, adadelta, adam, adamax.")
  String optimizer = "adagrad_window";

  @Option(names = "--lr", paramLabel = "X", description = "Learning rate (default: the optimizer's PyMC3 default).")
  Double learningRate;

  @Option(names = "--jitter", paramLabel = "J", description = "Initial parameters of PyMC3's flows are J times standard normal draws "
      + "(default 1); neural flows start at the identity whatever J.")
  double jitter = 1;

  @Option(names = "--grad-clip", paramLabel = "C", description = "PyMC3's total_grad_norm_constraint: clip the gradient's norm to C.")
  Double gradClip;

  @Option(names = "--restarts", paramLabel = "R", description = "Independent fits; of those that succeed, the best "
      + "by final loss is kept (default 1).")
  int restarts = 1;

  @Option(names = "--average-last", paramLabel = "N", description = "Iterate averaging (Polyak-Ruppert; not in "
      + "PyMC3): the fit's parameters are the mean of the iterates of the last N steps, not the last iterate. For "
      + "noisy gradients (--minibatch); start it after the fit has settled. Off by default.")
  Integer averageLast;

  @Option(names = "--lr-final", paramLabel = "X", description = "Learning-rate decay (not in PyMC3): the rate falls "
      + "geometrically from --lr at the first step to X at the last (each step's move is scaled). Off by default.")
  Double lrFinal;

  /** Checks the values given, each refused with a one-line message naming its option. */
  void check() {
    if (iterations < 0) {
      throw new UserException("--iters must be >= 0");
    }
    if (nmc < 1 || restarts < 1) {
      throw new UserException("--nmc and --restarts must be >= 1");
    }
    if (averageLast != null && (averageLast < 1 || averageLast > iterations)) {
      throw new UserException("--average-last must be between 1 and --iters (" + iterations + "): the number of "
          + "last iterates averaged");
    }
    if (lrFinal != null && !(lrFinal > 0 && lrFinal <= optimizer().learningRate())) {
      throw new UserException("--lr-final must be > 0 and at most the learning rate ("
          + optimizer().learningRate() + "): the rate at the last step");
    }
    if (!(jitter >= 0) || (learningRate != null && !(learningRate > 0)) || (gradClip != null && !(gradClip > 0))) {
      throw new UserException("--jitter must be >= 0, --lr and --grad-clip > 0");
    }
  }

  /** The optimizer named, with the learning rate given or its default. */
  Optimizer optimizer() {
    try {
      return learningRate == null ? Optimizers.byName(optimizer) : Optimizers.byName(optimizer, learningRate);
    } catch (IllegalArgumentException e) {
      throw new UserException("--optimizer: " + e.getMessage());
    }
  }

  /** The fit's settings with this seed and these callbacks. */
  Nfvi.Settings settings(Optimizer opt, long seed, List<FitCallback> callbacks) {
    return new Nfvi.Settings(iterations, opt, nmc, jitter, seed, gradClip == null ? Nfvi.Settings.NO_CLIPPING : gradClip,
        callbacks, averageLast == null ? 0 : averageLast, lrFinal == null ? 1 : lrFinal / opt.learningRate());
  }
}
