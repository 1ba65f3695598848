use monitor_runtime::business_metric;

#[business_metric(counter = "user_signups_total")]
fn sign_up() {}

#[business_metric(counter = "user_logins_total", help = "  ")]
fn log_in() {}

monitor_runtime::business_metrics! {
    counter ORDERS = "orders_total";
}

fn main() {}
