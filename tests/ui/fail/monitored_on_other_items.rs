use monitor_runtime::monitored;

#[monitored]
enum Status {
    Up,
}

#[monitored]
const LIMIT: u32 = 1;

#[monitored]
mod orders {}

#[monitored]
type Id = u64;

fn main() {}
