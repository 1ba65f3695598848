//! M045: a native histogram's schema is an integer literal from -4 to 8; `native`
//! is for histograms.
use monitor_runtime::{business_metric, monitored};

#[monitored(native(schema = 9))]
fn too_fine() {}

#[monitored(native(schema = "3"))]
fn not_a_number() {}

#[monitored(native(zoom = 3))]
fn unknown_argument() {}

#[monitored(native = true)]
fn with_a_value() {}

#[business_metric(histogram = "basket_value_euros", help = "Values.", observe = 1.0, native(schema = -5))]
fn business_too_coarse() {}

#[business_metric(counter = "baskets_total", help = "Baskets.", native)]
fn not_a_histogram() {}

fn main() {}
