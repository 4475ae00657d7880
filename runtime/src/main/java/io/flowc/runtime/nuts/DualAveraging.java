package io.flowc.runtime.nuts;

/**
 * Nesterov dual averaging of the log step size toward a target acceptance statistic, as PyMC3's
 * {@code DualAverageAdaptation} (Hoffman and Gelman 2014, algorithm 5): while tuning, the step
 * used is exp(log eps) from the previous update; afterwards it is the averaged exp(log eps-bar).
 */
final class DualAveraging {
  /** PyMC3's defaults (nuts.py and base_hmc.py). */
  static final double GAMMA = 0.05;
  static final double KAPPA = 0.75;
  static final double T0 = 10;

  private final double target;
  private final double mu;
  private double logStep;
  private double logStepBar;
  private double hBar;
  private long count = 1;

  DualAveraging(double initialStep, double target) {
    this.target = target;
    this.mu = Math.log(10 * initialStep);
    this.logStep = Math.log(initialStep);
    this.logStepBar = logStep;
  }

  /** The step size to use now: the adapted one while tuning, the averaged one afterwards. */
  double current(boolean tuning) {
    return Math.exp(tuning ? logStep : logStepBar);
  }

  /** Records one iteration's acceptance statistic; only tuning iterations move the step. */
  void update(double acceptStat, boolean tuning) {
    if (!tuning) {
      return;
    }
    double w = 1.0 / (count + T0);
    hBar = (1 - w) * hBar + w * (target - acceptStat);
    logStep = mu - hBar * Math.sqrt(count) / GAMMA;
    double mk = Math.pow(count, -KAPPA);
    logStepBar = mk * logStep + (1 - mk) * logStepBar;
    count++;
  }
}
