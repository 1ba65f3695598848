// Generated code must not depend on what the user's scope calls `Result`, `Ok`,
// `Option`, `Some` or `None`.
#![allow(dead_code, non_camel_case_types)]

use monitor_runtime::{business_metric, business_metrics};

struct Result;
struct Ok;
struct Option;
struct Some;
struct None;
struct Box;
struct f64;

business_metrics! {
    counter TOTAL = "hygiene_total", help = "Hygiene.";
}

#[business_metric(counter = "hygiene_calls_total", help = "Calls.", labels(kind = kind), amount = 2)]
#[business_metric(gauge = "hygiene_value", help = "Value.", set = *ret, on = "always")]
fn call(kind: &str) -> u32 {
    if kind.is_empty() {
        return 0;
    }
    3
}

fn main() {
    call("a");
    TOTAL.inc([]);
}
