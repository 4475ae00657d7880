#!/usr/bin/env bash
# Stan and flowc side by side: NUTS on the posteriordb models of examples/ and on workload W9
# (logistic regression, 100,000 rows x 20 predictors, data from io.flowc.bench.W9Data), with the
# same chains, warm-up and draws on both. Prints per model Stan's (rstan) and flowc's compile time,
# sampling time, smallest bulk ESS per second and microseconds per gradient, with their ratios, and
# writes WORK/results.csv (one row per model; `Rscript bench/scripts/stan-side-by-side.R table
# WORK/results.csv` prints the table again), WORK/table.md and WORK/machine.txt. docs/performance.md
# ("Stan side by side") describes the figures.
#
# Needs R with rstan, posterior and jsonlite: installed from Debian with apt-get when missing (as
# root). Not part of `mvn verify`: run it by hand, from anywhere.
#
#   bench/scripts/stan-side-by-side.sh [--quick] [--chains C] [--tune N] [--draws N] [--threads T]
#                                      [--seed S] [--models a,b,...] [--work DIR]
#
# Defaults: 4 chains x (1000 tune + 1000 draws), 1 thread (chains one after another on both
# sides), seed 1, every model, WORK /tmp/flowc-stan. --quick: 4 chains x (200 + 200), to try the script.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

ALL_MODELS="eight_schools_noncentered,eight_schools_centered,kidiq_interaction,kidiq_standardized,sblrc_blr,earnings,earnings_standardized,low_dim_gauss_mix,diamonds,arK,arma11,garch11,gp_pois_regr,kilpisjarvi,logmesquite,w9"
chains=4 tune=1000 draws=1000 threads=1 seed=1 models="$ALL_MODELS" work=/tmp/flowc-stan

die() { echo "stan-side-by-side.sh: $*" >&2; exit 2; }
usage() { sed -n '13,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit "${1:-2}"; }
count() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 takes a positive integer, not '$2'"; echo "$2"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) tune=200 draws=200 ;;
    --chains) chains=$(count "$1" "${2:-}"); shift ;;
    --tune) tune=$(count "$1" "${2:-}"); shift ;;
    --draws) draws=$(count "$1" "${2:-}"); shift ;;
    --threads) threads=$(count "$1" "${2:-}"); shift ;;
    --seed) seed=$(count "$1" "${2:-}"); shift ;;
    --models) models="${2:-}"; [ -n "$models" ] || die "--models takes a list such as sblrc_blr,w9"; shift ;;
    --work) work="${2:-}"; [ -n "$work" ] || die "--work takes a directory"; shift ;;
    -h|--help) usage 0 ;;
    *) echo "stan-side-by-side.sh: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done

# model name -> flowc model, data, Stan program, target acceptance and maximum tree depth (eight
# schools: 0.9, as the posteriordb workloads of the bench sample it; diamonds: 0.99 and depth 20, the
# settings of posteriordb's reference run for its correlated posterior; gp_pois_regr: 0.99, as its
# reference run; kilpisjarvi: depth 15, as its reference run along its ridge; Stan's and PyMC3's
# 0.8 and 10 elsewhere)
flow_of() { case "$1" in w9) echo "$ROOT/examples/logistic.flow" ;; *) echo "$ROOT/examples/$1.flow" ;; esac; }
data_of() { case "$1" in w9) echo "$work/w9.json" ;; *) echo "$ROOT/examples/$1.json" ;; esac; }
stan_of() { case "$1" in w9) echo "$ROOT/bench/stan/logistic.stan" ;; *) echo "$ROOT/bench/stan/$1.stan" ;; esac; }
accept_of() { case "$1" in eight_schools_noncentered) echo 0.9 ;; eight_schools_centered) echo 0.99 ;; diamonds|gp_pois_regr) echo 0.99 ;; *) echo 0.8 ;; esac; }
treedepth_of() { case "$1" in diamonds) echo 20 ;; kilpisjarvi) echo 15 ;; *) echo 10 ;; esac; }

IFS=',' read -r -a selected <<< "$models"
for m in "${selected[@]}"; do
  case ",$ALL_MODELS," in *",$m,"*) ;; *) die "unknown model '$m' (known: $ALL_MODELS)" ;; esac
done

command -v java >/dev/null || die "java is not on the PATH (flowc needs Java 17)"
if ! Rscript -e 'library(rstan); library(posterior); library(jsonlite)' >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || die "R's rstan, posterior and jsonlite are missing; install them as root: apt-get install -y r-cran-rstan r-cran-posterior r-cran-jsonlite"
  echo "installing R, rstan and posterior from Debian (apt-get)" >&2
  apt-get update
  apt-get install -y r-cran-rstan r-cran-posterior r-cran-jsonlite
fi

mkdir -p "$work"
results="$work/results.csv"
rm -f "$results"

# W9's data, written at bench time (21 MB: not in the repository), from the bench module's generator
if [[ ",$models," == *",w9,"* ]] && [ ! -s "$work/w9.json" ]; then
  jar="$ROOT/bench/target/benchmarks.jar"
  if [ ! -f "$jar" ]; then
    echo "building the bench module (mvn package) for W9's data generator" >&2
    (cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests)
  fi
  java -cp "$jar" io.flowc.bench.W9Data "$work/w9.json.part" && mv "$work/w9.json.part" "$work/w9.json"
fi

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(uname -srm), $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "R: $(Rscript -e 'cat(R.version.string, "rstan", format(packageVersion("rstan")), "posterior", format(packageVersion("posterior")))' 2>/dev/null)"
  echo "flowc: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "run: $chains chains x ($tune tune + $draws draws), $threads thread(s), seed $seed"
  echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$work/machine.txt"
cat "$work/machine.txt"

for m in "${selected[@]}"; do
  flow=$(flow_of "$m") data=$(data_of "$m") stan=$(stan_of "$m") accept=$(accept_of "$m") depth=$(treedepth_of "$m")
  for f in "$flow" "$data" "$stan"; do [ -f "$f" ] || die "$m: $f is missing"; done
  echo "== $m: flowc (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
  "$ROOT/bin/flowc" sample "$flow" --data "$data" --chains "$chains" --tune "$tune" --draws "$draws" \
    --threads "$threads" --seed "$seed" --target-accept "$accept" \
    --max-treedepth "$depth" --json \
    > "$work/$m.flowc.out" 2> "$work/$m.flowc.log" || die "$m: flowc sample failed (exit $?); see $work/$m.flowc.log"
  tail -n 1 "$work/$m.flowc.out" > "$work/$m.flowc.json"
  echo "== $m: Stan (compiling and sampling; load average $(cut -d' ' -f1 /proc/loadavg))" >&2
  Rscript "$ROOT/bench/scripts/stan-side-by-side.R" run "$m" "$stan" "$data" "$work/$m.flowc.json" "$results" \
    "$chains" "$tune" "$draws" "$seed" "$accept" "$threads" "$depth" 2> "$work/$m.stan.log" \
    || die "$m: Stan failed (exit $?); see $work/$m.stan.log"
done

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/machine.txt"
Rscript "$ROOT/bench/scripts/stan-side-by-side.R" table "$results" | tee "$work/table.md"
echo "results: $results, $work/table.md, $work/machine.txt" >&2
