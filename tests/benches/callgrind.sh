#!/usr/bin/env bash
# Instructions per call of every variant of the `monitored` bench (or, with
# BENCH=business, per update of the `business` bench), counted by valgrind's callgrind: each variant runs twice (SMALL and LARGE calls) and the
# difference is divided by LARGE - SMALL, so start-up and registration cancel out.
# Only the calls are counted (`--toggle-collect`): the clock's calibration at start-up
# runs for a wall-clock time, so its instruction count differs from run to run.
#
#   tests/benches/callgrind.sh [VARIANT...]
#   BENCH=business tests/benches/callgrind.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

BENCH=${BENCH:-monitored}
SMALL=${SMALL:-10000}
LARGE=${LARGE:-110000}

command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)" >&2; exit 1; }

bench=$(cargo bench -p monitor-tests --bench "$BENCH" --no-run --message-format=json 2>/dev/null \
    | grep -o '"executable":"[^"]*"' | grep -o "/[^\"]*/$BENCH-[^\"]*" | tail -1)
[ -x "$bench" ] || { echo "could not build the bench binary" >&2; exit 1; }

if [ $# -gt 0 ]; then variants=("$@"); else mapfile -t variants < <("$bench" --list-variants); fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

instructions() { # variant calls
    valgrind --tool=callgrind --toggle-collect="$BENCH::callgrind*" --callgrind-out-file="$out/cg" "$bench" --callgrind "$1" "$2" >/dev/null 2>&1
    awk '/^(summary|totals):/ { print $2; exit }' "$out/cg"
}

declare -A per_call
printf '%-28s %12s\n' variant instr/call
for variant in "${variants[@]}"; do
    small=$(instructions "$variant" "$SMALL")
    large=$(instructions "$variant" "$LARGE")
    per_call[$variant]=$(awk -v a="$small" -v b="$large" -v n=$((LARGE - SMALL)) 'BEGIN { printf "%.1f", (b - a) / n }')
    printf '%-28s %12s\n' "$variant" "${per_call[$variant]}"
done

ratio() { # name numerator denominator
    if [ -n "${per_call[$2]:-}" ] && [ -n "${per_call[$3]:-}" ]; then
        awk -v n="${per_call[$2]}" -v d="${per_call[$3]}" -v name="$1" \
            'BEGIN { if (d > 0) printf "%-52s %6.3f\n", name, n / d }'
    fi
}
echo
echo "ratios (instructions per call):"
ratio "business handle / with_label_values" business_metrics_handle prometheus_with_label_values
ratio "business attribute / with_label_values" business_metric_attribute prometheus_with_label_values
for flavour in sync async; do
    ratio "$flavour monitored_nospan / hand" "$flavour/monitored_nospan" "$flavour/hand"
    ratio "$flavour monitored / hand_span" "$flavour/monitored" "$flavour/hand_span"
    ratio "$flavour monitored / hand" "$flavour/monitored" "$flavour/hand"
    ratio "$flavour monitored / hand_span (subscriber)" "$flavour/monitored+subscriber" "$flavour/hand_span+subscriber"
    ratio "$flavour monitored / instrument (subscriber)" "$flavour/monitored+subscriber" "$flavour/instrument+subscriber"
done
