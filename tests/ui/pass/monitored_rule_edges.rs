use monitor_runtime::monitored;

// Bucket lists at the edges of M040-M043: one bound, integer and float literals,
// tiny and large bounds, a suffixed literal, a trailing comma.
#[monitored(buckets = [1])]
fn one_bucket() {}

#[monitored(buckets = [1e-9, 0.5, 1, 2.5f64, 1e300,])]
fn wide_buckets() {}

// Any printable text is a valid `function` label value (M001, M002).
#[monitored(name = "Cart::add")]
fn add() {}

#[monitored(name = "x")]
fn shortest() {}

#[monitored(name = "checkout — step 2 (ünïcode)")]
fn unicode() {}

fn main() {
    one_bucket();
    wide_buckets();
    add();
    shortest();
    unicode();
    monitor_runtime::init().expect("every site registers");
}
