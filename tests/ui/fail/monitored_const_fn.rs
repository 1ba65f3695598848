use monitor_runtime::monitored;

#[monitored]
const fn answer() -> u32 {
    42
}

fn main() {
    let _ = answer();
}
