use monitor_runtime::monitored;

#[monitored]
#[monitored(span = false)]
fn checkout() {}

fn main() {
    checkout();
}
