#!/usr/bin/env bash
# The minibatch benchmark: logistic regressions (examples/logistic.flow, data from minibatch-logistic.py,
# seed 1) fitted with `fit --minibatch 1000`, with NFVI on all rows and with NUTS; prints the machine's
# load, each run's JSON line, and a summary (minibatch-summary.py): compile and fit seconds apart,
# microseconds per step, and each fit's posterior means against a Laplace approximation (Newton's method).
# Usage: bench/scripts/minibatch-benchmark.sh [WORKDIR]  (from the repository root, after a package build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/flowc-minibatch}
mkdir -p "$work"
flowc="$root/bin/flowc"
model="$root/examples/logistic.flow"
for n in 1000000 100000; do
  [ -f "$work/logistic-$n.json" ] || python3 "$root/bench/scripts/minibatch-logistic.py" "$n" 10 1 "$work/logistic-$n.json"
done
big="$work/logistic-1000000.json"
fit=(fit "$model" --flow 'scale-hh*4-loc' --optimizer adam --lr 0.2 --lr-final 0.002 --draws 4000 --json)
run() { local name=$1; shift; uptime | sed "s/^/$name: /" >&2; "$flowc" "$@" | tail -1 > "$work/$name.jsonl"; }
# minibatch: 20 passes over the rows, the rate falling from 0.2 to 0.002, the mean of the last 5 passes'
# iterates; 30 draws on all rows for the final loss
run minibatch "${fit[@]}" --data "$big" --iters 20000 --average-last 5000 --minibatch 1000 --eval-draws 30 --out "$work/minibatch.csv"
# all rows: the same schedule in 1,000 steps (each a pass over the rows; its time per step is the comparison)
run full "${fit[@]}" --data "$big" --iters 1000 --average-last 250 --eval-draws 30 --out "$work/full.csv"
# NUTS on 100,000 rows (on all 1,000,000 it takes many minutes); PyMC3's defaults, 2 chains
run nuts-100k sample "$model" --data "$work/logistic-100000.json" --chains 2 --seed 1 --out "$work/nuts-100k.csv" --json
uptime >&2
python3 "$root/bench/scripts/minibatch-summary.py" "$work"
