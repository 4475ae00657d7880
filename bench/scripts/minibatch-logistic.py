#!/usr/bin/env python3
"""Writes a logistic regression data set (Stan JSON) for examples/logistic.flow: N rows, K standard
normal predictors, coefficients uniform in (-1, 1), intercept -0.5, all from a fixed seed.
Usage: minibatch-logistic.py N K SEED OUT.json"""
import json, math, random, sys

n, k, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
r = random.Random(seed)
beta = [r.uniform(-1, 1) for _ in range(k)]
X, y = [], []
for _ in range(n):
    row = [round(r.gauss(0, 1), 6) for _ in range(k)]
    eta = -0.5 + sum(b * x for b, x in zip(beta, row))
    X.append(row)
    y.append(1 if r.random() < 1 / (1 + math.exp(-eta)) else 0)
with open(out, "w") as f:
    json.dump({"N": n, "K": k, "X": X, "y": y}, f)
