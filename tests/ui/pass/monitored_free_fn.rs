use monitor_runtime::monitored;

#[monitored]
fn double(x: u32) -> u32 {
    x * 2
}

fn main() {
    assert_eq!(double(2), 4);
}
