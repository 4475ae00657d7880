package io.flowc.runtime.nfvi;

/**
 * Called after every step of a fit, as PyMC3 calls its callbacks: with the parameters after the
 * step's update, the losses so far and the 1-based iteration count. Returning a message stops
 * the fit (PyMC3's StopIteration, e.g. "Convergence achieved at 1200"); null lets it go on.
 */
@FunctionalInterface
public interface FitCallback {
  String afterStep(FitProgress progress);
}
