//! Stacked attributes: the first to expand reports the errors of every attribute it
//! absorbed, each at its own place, whichever order they are in.
use monitor_runtime::{business_metric, monitored};

#[monitored(span = "loud")]
#[business_metric(counter = "bad-payments_total", help = "Payments.")]
#[business_metric(help = "No metric.")]
fn pay() -> Result<(), String> {
    Ok(())
}

#[business_metric(counter = "refunds", help = "Refunds.")]
#[monitored(nme = "refund")]
#[monitored]
fn refund() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = pay();
    let _ = refund();
}
