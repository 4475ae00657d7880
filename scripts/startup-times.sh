#!/usr/bin/env bash
# Wall time of flowc commands as users run them: each in a fresh process through bin/flowc,
# N times (default 5), median and range. docs/performance.md ("Start-up") has the figures.
#
#   scripts/startup-times.sh [N]
#   FLOWC_CDS=0 scripts/startup-times.sh      the same without the start-up archive
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n="${1:-5}"
out="$(mktemp -d "${TMPDIR:-/tmp}/flowc-startup.XXXXXX")"
trap 'rm -rf "$out"' EXIT
bin/flowc --version >/dev/null # builds on first use, outside the timings

time_command() {
  local label="$1" times=() start end i
  shift
  for ((i = 0; i < n; i++)); do
    start=$(date +%s%N)
    "$@" >"$out/stdout" 2>"$out/stderr" || { echo "$label failed:" >&2; cat "$out/stderr" >&2; exit 1; }
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  printf '%-10s median %5d ms  (%d-%d ms over %d runs)\n' "$label" "${sorted[$((n / 2))]}" "${sorted[0]}" "${sorted[$((n - 1))]}" "$n"
}

time_command check bin/flowc check examples/pot1.flow
time_command fit-1 bin/flowc fit examples/pot1.flow --flow 'planar*8' --iters 1
time_command compile bin/flowc compile examples/pot1.flow --flow 'planar*8' -o "$out/pot1.jar"
time_command W1 bin/flowc fit examples/pot1.flow --flow 'planar*8' --optimizer adam --lr 0.01 --nmc 100 --iters 25000
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
