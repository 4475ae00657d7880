package io.flowc.runtime.diagnostics;

/**
 * Posterior summary of one scalar quantity from one or more MCMC chains, as computed by {@link
 * Convergence#summarize}. See {@link Convergence} for the definitions.
 *
 * @param name the quantity's name, e.g. {@code z[0]}
 * @param mean mean of the pooled draws
 * @param sd standard deviation of the pooled draws (divisor N - 1)
 * @param q5 5 % quantile of the pooled draws (linear interpolation, NumPy's default)
 * @param q50 median of the pooled draws
 * @param q95 95 % quantile of the pooled draws
 * @param mcseMean Monte Carlo standard error of {@code mean}: {@code sd / sqrt(ess_mean)}
 * @param essBulk bulk effective sample size (of the rank-normalized split chains)
 * @param essTail tail effective sample size (the smaller of the 5 % and 95 % quantile ESS)
 * @param rHat rank-normalized split R-hat, the larger of the bulk and folded (tail) values
 */
public record ParameterSummary(
    String name,
    double mean,
    double sd,
    double q5,
    double q50,
    double q95,
    double mcseMean,
    double essBulk,
    double essTail,
    double rHat) {}
