#!/usr/bin/env bash
# Checks that R's readers of Stan CSV read what `flowc sample --format stan-csv` writes, and that
# posterior::summarise_draws (an independent implementation of the diagnostics) gives flowc's own
# R-hat and ESS within 1 %. Needs R's rstan and posterior: installed from Debian when missing
# (apt-get, as root). Not part of `mvn verify`: run it by hand.
#
#   scripts/check-stan-csv.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! Rscript -e 'library(rstan); library(posterior); library(jsonlite)' >/dev/null 2>&1; then
  apt-get update
  apt-get install -y r-cran-rstan r-cran-posterior r-cran-jsonlite
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# model, data, tolerance-free settings: 4 chains of 1000 draws, fixed seed
check() {
  local name="$1" data="$2"
  "$ROOT/bin/flowc" sample "$ROOT/examples/$name.flow" --data "$ROOT/examples/$data" --chains 4 --seed 1 \
    --format stan-csv --out "$WORK/$name.csv" --json 2>/dev/null | tail -n 1 > "$WORK/$name.json"
  Rscript "$ROOT/scripts/check-stan-csv.R" "$WORK/$name.json" "$WORK/${name}"_{1,2,3,4}.csv
}

check eight_schools_noncentered eight_schools_noncentered.json
check hierarchical hierarchical.json
