use monitor_runtime::business_metric;

#[business_metric(histogram = "a_euros", help = "A.", observe = 1.0, buckets = [])]
fn a() {}

#[business_metric(histogram = "b_euros", help = "B.", observe = 1.0, buckets = [10.0, 5.0])]
fn b() {}

#[business_metric(histogram = "c_euros", help = "C.", observe = 1.0, buckets = [0.0, -1.0])]
fn c() {}

const BOUNDS: [f64; 2] = [1.0, 2.0];

#[business_metric(histogram = "d_euros", help = "D.", observe = 1.0, buckets = BOUNDS)]
fn d() {}

#[business_metric(counter = "e_total", help = "E.", buckets = [1.0])]
fn e() {}

fn main() {}
