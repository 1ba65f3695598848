#!/usr/bin/env bash
# Ratios of the medians criterion measured in its last run of the `monitored`,
# `business` and `scrape` benches (run them first: `cargo bench -p monitor-tests
# --bench monitored --bench business --bench scrape`). Reads
# $CARGO_TARGET_DIR/criterion (default target/criterion).
#
#   tests/benches/ratios.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${CARGO_TARGET_DIR:-target}/criterion"

median() { # group/name: the median time in ns, or nothing
    local file="$dir/$1/new/estimates.json"
    [ -f "$file" ] && grep -o '"median":{\("confidence_interval":{[^}]*},\)\?"point_estimate":[0-9.e+-]*' "$file" | grep -o '[0-9.e+-]*$'
}

ratio() { # label numerator denominator
    local n d
    n=$(median "$2" || true)
    d=$(median "$3" || true)
    if [ -n "$n" ] && [ -n "$d" ]; then
        awk -v n="$n" -v d="$d" -v label="$1" 'BEGIN { printf "%-58s %8.1f ns / %8.1f ns = %6.3f\n", label, n, d, n / d }'
    fi
}

echo "ratios of criterion medians (time per call, update or rendering):"
for flavour in sync async; do
    ratio "$flavour monitored / hand" "$flavour/monitored" "$flavour/hand"
    ratio "$flavour monitored_nospan / hand" "$flavour/monitored_nospan" "$flavour/hand"
    ratio "$flavour monitored+subscriber / instrument+subscriber" "$flavour/monitored+subscriber" "$flavour/instrument+subscriber"
    ratio "$flavour monitored+subscriber / hand_span+subscriber" "$flavour/monitored+subscriber" "$flavour/hand_span+subscriber"
done
# criterion names these directories `threads2/<flavour>_<variant>`.
for variant in sync_monitored sync_monitored_nospan async_monitored async_monitored_nospan; do
    ratio "threads2 ${variant} / ${variant%%_*}_hand" "threads2/${variant}" "threads2/${variant%%_*}_hand"
done
ratio "business handle / with_label_values" labelled_counter_update/business_metrics_handle labelled_counter_update/prometheus_with_label_values
ratio "business attribute / with_label_values" labelled_counter_update/business_metric_attribute labelled_counter_update/prometheus_with_label_values
ratio "business handle, integer label / with_label_values" labelled_counter_update/business_metrics_handle_integer labelled_counter_update/prometheus_with_label_values_integer
ratio "business threads2 handle / with_label_values" labelled_counter_threads2/business_metrics_handle labelled_counter_threads2/prometheus_with_label_values
ratio "scrape render_metrics / encoder alone" scrape/render_metrics scrape/encoder_alone
ratio "scrape OpenMetrics / text" scrape/render_openmetrics scrape/render_metrics
ratio "scrape protobuf / text" scrape/render_protobuf scrape/render_metrics
ratio "scrape snapshot / text" scrape/snapshot scrape/render_metrics
ratio "history reading / text render" scrape/history_reading scrape/render_metrics
