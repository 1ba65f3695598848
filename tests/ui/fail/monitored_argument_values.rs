use monitor_runtime::monitored;

#[monitored(name)]
fn name_without_value() {}

#[monitored(name = checkout)]
fn name_not_a_string() {}

#[monitored(name = "")]
fn empty_name() {}

#[monitored(buckets = 0.5)]
fn buckets_not_a_list() {}

#[monitored(skip)]
fn skip_outside_impl() {}

#[monitored(crate = 42)]
fn crate_not_a_path() {}

struct Orders;

#[monitored(name = "orders")]
impl Orders {
    fn place(&self) {}
}

fn main() {}
