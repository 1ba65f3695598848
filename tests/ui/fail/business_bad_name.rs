use monitor_runtime::business_metric;

#[business_metric(counter = "login-attempts", help = "Login attempts.")]
fn log_in() {}

#[business_metric(counter = "orders_total", help = "Orders.", labels(plan = "a", plan = "b"))]
fn order() {}

monitor_runtime::business_metrics! {
    gauge QUEUE = "queue depth", help = "Queue depth.";
}

fn main() {}
