#!/usr/bin/env bash
# Instructions per request of every variant of the `http` bench, counted by
# valgrind's callgrind inside the measured call only (`--toggle-collect`: not the
# warm-up nor one-off start-up work such as a clock's calibration, whose cost varies
# from run to run): each variant runs twice (SMALL and LARGE requests) and the
# difference is divided by LARGE - SMALL, so building the router cancels out.
# Then the cost each layer adds to the bare router, and the ratios of those costs.
#
#   tests/benches/http_callgrind.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

SMALL=${SMALL:-3000}
LARGE=${LARGE:-33000}

command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)" >&2; exit 1; }

bench=$(cargo bench -p monitor-tests --bench http --no-run --message-format=json 2>/dev/null \
    | grep -o '"executable":"[^"]*"' | grep -o '/[^"]*http-[^"]*' | tail -1)
[ -x "$bench" ] || { echo "could not build the bench binary" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

instructions() { # variant requests
    valgrind --tool=callgrind --toggle-collect=http::measured --callgrind-out-file="$out/cg" "$bench" --callgrind "$1" "$2" >/dev/null 2>&1
    awk '/^(summary|totals):/ { print $2; exit }' "$out/cg"
}

declare -A per_request
printf '%-18s %14s\n' variant instr/request
for variant in $("$bench" --list-variants); do
    small=$(instructions "$variant" "$SMALL")
    large=$(instructions "$variant" "$LARGE")
    per_request[$variant]=$(awk -v a="$small" -v b="$large" -v n=$((LARGE - SMALL)) 'BEGIN { printf "%.1f", (b - a) / n }')
    printf '%-18s %14s\n' "$variant" "${per_request[$variant]}"
done

echo
echo "added to bare (instructions per request):"
for variant in monitor monitor_traceparent monitor_untraced monitor_outer axum_prometheus hand axum_floor; do
    # The requests of monitor_traceparent carry one more header: its base is the bare
    # router sent the same requests.
    base=bare
    [ "$variant" = monitor_traceparent ] && base=bare_traceparent
    awk -v v="${per_request[$variant]}" -v b="${per_request[$base]}" -v name="$variant" \
        'BEGIN { printf "%-20s %14.1f\n", name, v - b }'
done
echo
echo "ratios of added cost:"
added() { awk -v v="${per_request[$1]}" -v b="${per_request[${2:-bare}]}" 'BEGIN { print v - b }'; }
awk -v m="$(added monitor)" -v o="$(added monitor_outer)" -v p="$(added axum_prometheus)" -v h="$(added hand)" -v f="$(added axum_floor)" \
    -v t="$(added monitor_traceparent bare_traceparent)" -v u="$(added monitor_untraced)" 'BEGIN {
    printf "%-36s %6.3f\n", "monitor / axum_prometheus", m / p
    printf "%-36s %6.3f\n", "monitor_traceparent / axum_prometheus", t / p
    printf "%-36s %6.3f\n", "monitor_untraced / axum_prometheus", u / p
    printf "%-36s %6.3f\n", "monitor_outer / axum_prometheus", o / p
    printf "%-36s %6.3f\n", "monitor / hand", m / h
    printf "%-36s %6.3f\n", "hand / axum_prometheus", h / p
    printf "%-36s %6.3f\n", "axum_floor / axum_prometheus", f / p
    printf "%-36s %6.3f\n", "(monitor - axum_floor) / axum_prometheus", (m - f) / p
}'
