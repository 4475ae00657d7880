package io.flowc.runtime.nfvi;

/**
 * What a callback sees after a step: the 1-based iteration, the parameters after the update
 * (read-only by convention: copy what you keep), the losses so far, and a way to compute a fresh
 * single-draw gradient estimate at the current parameters (PyMC3's tracker pattern).
 */
public interface FitProgress {
  int iteration();

  double[] parameters();

  /** Losses of the steps taken so far, oldest first (a copy). */
  double[] losses();

  /** A fresh one-draw estimate of the loss's gradient at the current parameters (a new array). */
  double[] freshGradient();
}
