# ArviZ's diagnostics (_split_chains, _z_scale, _rhat, _rhat_rank, _ess, _ess_bulk, _ess_tail,
# _ess_mean, _mcse_mean) transcribed onto NumPy and SciPy. Prints the expected rows of
# ConvergenceTest.agreesWithATranscriptionOfArviz (run with NumPy 2.4, SciPy 1.17).
import numpy as np
from scipy import stats
from scipy.fft import next_fast_len

def _split_chains(ary):
    n = ary.shape[1]; half = n // 2
    return np.vstack((ary[:, :half], ary[:, -half:]))

def _z_scale(ary):
    rank = stats.rankdata(ary, method="average").reshape(ary.shape)
    rank = (rank - 3/8) / (ary.size - 2*3/8 + 1)
    return stats.norm.ppf(rank)

def _rhat(ary):
    _, n = ary.shape
    chain_mean = np.mean(ary, axis=1); chain_var = np.var(ary, axis=1, ddof=1)
    b = n * np.var(chain_mean, ddof=1); w = np.mean(chain_var)
    return np.sqrt((b / w + n - 1) / n)

def rhat(ary):
    bulk = _rhat(_z_scale(_split_chains(ary)))
    tail = _rhat(_z_scale(_split_chains(abs(ary - np.median(ary)))))
    return max(bulk, tail)

def _autocov(ary):
    n = ary.shape[1]; m = next_fast_len(2 * n)
    ary = ary - ary.mean(1, keepdims=True)
    f = np.fft.rfft(ary, n=m, axis=1); f *= np.conjugate(f)
    return np.fft.irfft(f, n=m, axis=1)[:, :n] / n

def _ess(ary):
    n_chain, n_draw = ary.shape
    acov = _autocov(ary); chain_mean = ary.mean(axis=1)
    mean_var = np.mean(acov[:, 0]) * n_draw / (n_draw - 1.0)
    var_plus = mean_var * (n_draw - 1.0) / n_draw
    if n_chain > 1: var_plus += np.var(chain_mean, ddof=1)
    rho = np.zeros(n_draw); rho_even = 1.0; rho[0] = rho_even
    rho_odd = 1.0 - (mean_var - np.mean(acov[:, 1])) / var_plus; rho[1] = rho_odd
    t = 1
    while t < (n_draw - 3) and (rho_even + rho_odd) > 0.0:
        rho_even = 1.0 - (mean_var - np.mean(acov[:, t + 1])) / var_plus
        rho_odd = 1.0 - (mean_var - np.mean(acov[:, t + 2])) / var_plus
        if (rho_even + rho_odd) >= 0:
            rho[t + 1] = rho_even; rho[t + 2] = rho_odd
        t += 2
    max_t = t - 2
    if rho_even > 0: rho[max_t + 1] = rho_even
    t = 1
    while t <= max_t - 2:
        if (rho[t + 1] + rho[t + 2]) > (rho[t - 1] + rho[t]):
            rho[t + 1] = (rho[t - 1] + rho[t]) / 2.0; rho[t + 2] = rho[t + 1]
        t += 2
    ess = n_chain * n_draw
    tau = -1.0 + 2.0 * np.sum(rho[: max_t + 1]) + np.sum(rho[max_t + 1 : max_t + 2])
    tau = max(tau, 1 / np.log10(ess))
    return ess / tau

def ess_bulk(ary): return _ess(_z_scale(_split_chains(ary)))
def ess_tail(ary):
    lo, hi = np.quantile(ary, [0.05, 0.95])
    return min(_ess(_split_chains((ary <= lo).astype(float))), _ess(_split_chains((ary <= hi).astype(float))))
def mcse_mean(ary): return np.std(ary, ddof=1) / np.sqrt(_ess(_split_chains(ary)))

def data(chains, draws, kind):
    x = np.zeros((chains, draws))
    for c in range(chains):
        for i in range(draws):
            if kind == 0:
                x[c, i] = np.sin(1.7 * i + c) + 0.3 * np.cos(0.37 * i * i + 2 * c)
            else:  # slowly varying, strongly autocorrelated
                x[c, i] = np.sin(0.05 * i + 0.9 * c) + 0.2 * np.sin(2.3 * i * (c + 1))
    return x

for chains, draws, kind in [(3, 9, 0), (4, 50, 0), (2, 301, 1), (1, 80, 0)]:
    x = data(chains, draws, kind)
    q = np.quantile(x, [0.05, 0.5, 0.95])
    vals = [x.mean(), x.std(ddof=1), *q, mcse_mean(x), ess_bulk(x), ess_tail(x), rhat(x)]
    print("{%d, %d, %d, %s}," % (chains, draws, kind, ", ".join(repr(float(v)) for v in vals)))
