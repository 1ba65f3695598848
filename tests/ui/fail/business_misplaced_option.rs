use monitor_runtime::business_metric;

#[business_metric(counter = "a_total", help = "A.", observe = 1.0)]
fn a() {}

#[business_metric(gauge = "b", help = "B.")]
fn b() {}

#[business_metric(histogram = "c_euros", help = "C.", amount = 2)]
fn c() {}

#[business_metric(counter = "d_total", help = "D.", max_label_sets = 0)]
fn d() {}

monitor_runtime::business_metrics! {
    counter E = "e_total", help = "E.", on = "error", labels(x = x.len());
}

fn main() {}
