//! M045: a native histogram's schema is an integer literal from -4 to 8.
use monitor_runtime::monitored;

#[monitored(native(schema = 9))]
fn too_fine() {}

#[monitored(native(schema = "3"))]
fn not_a_number() {}

#[monitored(native(zoom = 3))]
fn unknown_argument() {}

#[monitored(native = true)]
fn with_a_value() {}

fn main() {}
