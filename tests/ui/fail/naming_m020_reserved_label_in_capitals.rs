//! M020: `LE` and `Quantile` read as the reserved `le` and `quantile`.
use monitor_runtime::business_metrics;

business_metrics! {
    gauge BOUNDS = "bounds", help = "Bounds.", labels(LE);
    gauge QUANTILES = "quantiles", help = "Quantiles.", labels(Quantile, Result);
}

fn main() {}
