use monitor_runtime::monitored;

#[monitored(buckets = [0.5, 1e400])]
fn infinite_bucket() {}

#[monitored(buckets = [0.5, f64::NAN])]
fn nan_bucket() {}

#[monitored(buckets = [0.5, f64::INFINITY])]
fn infinity_constant() {}

fn main() {}
