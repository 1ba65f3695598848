use monitor_runtime::business_metric;

#[business_metric(counter = "a_total", help = "A.", help = "Again.")]
fn a() {}

#[business_metric(counter = "b_total", gauge = "b", help = "B.")]
fn b() {}

#[business_metric(gauge = "c", help = "C.", inc, dec)]
fn c() {}

#[business_metric(counter = "d_total", help = "D.", on = "sometimes")]
fn d() {}

monitor_runtime::business_metrics! {
    counter E = "e_total", help = "E.", labels(x), labels(y);
}

fn main() {}
