use monitor_runtime::monitored;

const BOUNDS: [f64; 2] = [0.1, 1.0];
const LAST: f64 = 10.0;

#[monitored(buckets = BOUNDS)]
fn checkout() {}

#[monitored(buckets = [0.1, 1.0, LAST, 2.0 * 10.0])]
fn pay() {}

fn main() {}
