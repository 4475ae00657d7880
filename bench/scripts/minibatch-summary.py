#!/usr/bin/env python3
"""Summarises minibatch-benchmark.sh's runs in WORKDIR: seconds to compile and to fit, microseconds per
step, and the largest distance of each run's posterior means (from its --out draws) to a Laplace
approximation of the same data, in posterior sd. Usage: minibatch-summary.py WORKDIR"""
import csv, json, os, sys
import numpy as np

work = sys.argv[1]


def laplace(path):
    with open(path) as f:
        d = json.load(f)
    x = np.column_stack([np.ones(d["N"]), np.asarray(d["X"], dtype=float)])
    y = np.asarray(d["y"], dtype=float)
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        g = x.T @ (y - p) - w / 6.25
        h = (x * (p * (1 - p))[:, None]).T @ x + np.eye(len(w)) / 6.25
        step = np.linalg.solve(h, g)
        w += step
        if np.max(np.abs(step)) < 1e-12:
            break
    return w, np.sqrt(np.diag(np.linalg.inv(h)))


def draws(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    return np.asarray(rows[1:], dtype=float)


refs = {}
for name, data in [("minibatch", "logistic-1000000"), ("full", "logistic-1000000"), ("nuts-100k", "logistic-100000")]:
    line = json.load(open(os.path.join(work, name + ".jsonl")))
    if data not in refs:
        refs[data] = laplace(os.path.join(work, data + ".json"))
    mode, sd = refs[data]
    z = draws(os.path.join(work, name + ".csv"))
    if name == "nuts-100k":
        z = z[:, 2:]  # the chain and draw columns
    off = np.abs(z.mean(axis=0) - mode) / sd
    ratio = z.std(axis=0) / sd
    spread = f", sd / Laplace sd {ratio.min():.2f}-{ratio.max():.2f}"
    if name == "nuts-100k":
        print(f"{name}: compile {line['compile_seconds']:.1f} s, sampling {line['sample_seconds']:.1f} s, "
              f"worst mean {off.max():.2f} sd from Laplace{spread}")
    else:
        r = line["restarts"][0]
        print(f"{name}: compile {line['compile_seconds']:.1f} s, fit {r['fit_seconds']:.2f} s "
              f"({1e6 * r['fit_seconds'] / line['iterations']:.0f} us/step x {line['iterations']}), "
              f"evaluation {r['eval_seconds']:.2f} s, pareto_k {line['pareto_k']:.2f}, "
              f"worst mean {off.max():.2f} sd from Laplace{spread}")
