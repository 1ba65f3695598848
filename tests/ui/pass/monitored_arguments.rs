//! Every argument: `name`, `buckets` (floats and integers), `span` (off, on, each
//! level) and `crate` for a renamed runtime dependency.

use monitor_runtime::monitored;

mod renamed {
    pub use monitor_runtime as my_monitor;
}

#[monitored(name = "checkout_v2")]
fn checkout() {}

#[monitored(buckets = [0.005, 0.05, 1, 5.0])]
fn custom_buckets() {}

#[monitored(span = false)]
fn no_span() {}

#[monitored(span = true)]
fn default_span() {}

#[monitored(span = "trace")]
fn trace_span() {}

#[monitored(span = "debug")]
fn debug_span() {}

#[monitored(span = "info")]
fn info_span() {}

#[monitored(span = "WARN")]
fn warn_span() {}

#[monitored(span = "error")]
async fn error_span() {}

#[monitored(crate = "renamed::my_monitor", name = "via_renamed_crate")]
fn via_renamed() -> u32 {
    1
}

#[monitored(name = "all_of_them", buckets = [0.1], span = "debug", crate = "::monitor_runtime")]
fn all_of_them() {}

fn main() {
    checkout();
    custom_buckets();
    no_span();
    default_span();
    trace_span();
    debug_span();
    info_span();
    warn_span();
    let _ = error_span();
    assert_eq!(via_renamed(), 1);
    all_of_them();
}
