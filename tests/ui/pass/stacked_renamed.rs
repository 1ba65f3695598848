//! Attributes of ours reached through a `use ... as ...` rename are not recognised by
//! the attribute that expands first, so they are not absorbed: each wraps the body on
//! its own, one wrapper inside the other. That still compiles without warnings and
//! keeps early exits working.

#![deny(warnings)]

use monitor_runtime::business_metric as counted;
use monitor_runtime::monitored as timed;
use monitor_runtime::{business_metric, monitored};

#[business_metric(counter = "renamed_inner_total", help = "Counted inside.")]
#[counted(counter = "renamed_outer_total", help = "Counted outside.")]
pub fn both_counted(input: Option<u32>) -> Option<u32> {
    let value = input?;
    if value == 0 {
        return None;
    }
    Some(value)
}

#[business_metric(counter = "renamed_timed_total", help = "Timed and counted.")]
#[timed]
pub fn counted_then_timed(input: Result<u32, String>) -> Result<u32, String> {
    let value = input?;
    Ok(value)
}

#[monitored]
#[counted(counter = "renamed_monitored_total", help = "Monitored and counted.")]
pub async fn timed_then_counted(input: Result<u32, String>) -> Result<u32, String> {
    let value = input?;
    Ok(value)
}

fn main() {
    let _ = both_counted(Some(1));
    let _ = counted_then_timed(Ok(1));
    let _ = timed_then_counted(Ok(1));
}
