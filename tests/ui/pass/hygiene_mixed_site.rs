//! The locals of the generated code are unreachable from the body: an argument of the
//! user's spelt like one of them is still the argument in the body.

#![deny(warnings)]

use monitor_runtime::{business_metric, monitored};

#[monitored]
fn guarded(__monitor_guard: u32, __monitor_entered: u32) -> u32 {
    __monitor_guard + __monitor_entered
}

#[monitored]
async fn guarded_async(__monitor_guard: u32) -> u32 {
    __monitor_guard
}

#[monitored]
fn returned_future(__monitor_future: u32) -> impl std::future::Future<Output = u32> {
    async move { __monitor_future }
}

#[business_metric(counter = "hygiene_calls_total", help = "Calls.", amount = 2)]
fn counted(__monitor_business_value_0: u32, __monitor_business_series_0: u32) -> u32 {
    __monitor_business_value_0 + __monitor_business_series_0
}

#[monitored]
#[business_metric(counter = "hygiene_both_total", help = "Calls.", labels(plan = plan))]
fn both(plan: &str, __monitor_guard: u32, __monitor_business_series_0: u32) -> Result<u32, String> {
    let _ = plan;
    Ok(__monitor_guard + __monitor_business_series_0)
}

fn main() {
    assert_eq!(guarded(7, 8), 15);
    assert_eq!(counted(9, 10), 19);
    assert_eq!(both("pro", 7, 10), Ok(17));
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(runtime.block_on(guarded_async(7)), 7);
    assert_eq!(runtime.block_on(returned_future(3)), 3);
}
