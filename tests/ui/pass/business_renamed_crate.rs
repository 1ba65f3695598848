//! `business_metrics!` reaches the runtime through its private door, so it works
//! through a renamed path of the runtime with `crate = "..."`, like the attributes.

#![deny(warnings)]

mod renamed_runtime {
    pub use monitor_runtime::*;
}

renamed_runtime::business_metrics! {
    /// Orders placed, by plan.
    pub counter ORDERS = "renamed_orders_total", help = "Orders placed.", labels(plan),
        crate = "renamed_runtime";
    /// Jobs waiting.
    pub gauge QUEUE = "renamed_queue_length", help = "Jobs waiting.",
        crate = "crate::renamed_runtime";
    /// Refund values.
    histogram REFUNDS = "renamed_refunds_euros", help = "Refunds.", buckets = [1.0, 10.0],
        crate = "::monitor_runtime";
}

fn main() {
    monitor_runtime::init().unwrap();
    ORDERS.inc([&"pro"]);
    QUEUE.set(3, []);
    REFUNDS.observe(4.5, []);
    assert_eq!(ORDERS.with([&"pro"]).get(), 1.0);
    assert_eq!(QUEUE.with([]).get(), 3.0);
    let text = monitor_runtime::render_metrics().unwrap();
    assert!(text.contains("renamed_refunds_euros_sum 4.5"), "{text}");
}
