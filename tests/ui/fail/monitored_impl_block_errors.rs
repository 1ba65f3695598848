use monitor_runtime::monitored;

struct Orders;

#[monitored]
impl Orders {
    #[monitored(span = "loud")]
    fn place(&self) {}

    #[monitored]
    const fn limit() -> u32 {
        1
    }
}

fn main() {
    Orders.place();
}
