use std::time::Duration;

use monitor_runtime::business_metric;

pub struct Sessions;

impl Sessions {
    #[business_metric(gauge = "sessions_active", help = "Sessions open.", inc)]
    pub fn open(&self) -> Result<u32, String> {
        Ok(1)
    }

    #[business_metric(gauge = "sessions_active", help = "Sessions open.", dec)]
    pub fn close(&mut self, id: u32) {
        let _ = id;
    }

    #[business_metric(gauge = "seats_free", help = "Seats free.", inc = seats)]
    pub fn release(&self, seats: u8) {}

    #[business_metric(gauge = "seats_taken", help = "Seats taken.", dec = 2.5)]
    pub fn shrink(&self) {}

    #[business_metric(gauge = "queue_messages", help = "Messages queued.", set = ret.len())]
    pub fn drain(&self, queue: Vec<u8>) -> Vec<u8> {
        queue
    }
}

pub struct Order {
    pub total_cents: u64,
    pub prepared_in: Duration,
}

#[business_metric(
    histogram = "order_value_euros",
    help = "Order value.",
    observe = ret.total_cents as f64 / 100.0,
    buckets = [1, 10.0, 100.0, 1e3]
)]
#[business_metric(
    histogram = "order_preparation_seconds",
    help = "Time to prepare an order.",
    observe = ret.prepared_in,
    max_label_sets = 10,
    labels(kitchen = "main")
)]
fn order(cents: u64) -> Result<Order, ()> {
    Ok(Order { total_cents: cents, prepared_in: Duration::from_secs(3) })
}

fn main() {
    let mut sessions = Sessions;
    let id = sessions.open().unwrap();
    sessions.close(id);
    sessions.release(2);
    sessions.shrink();
    sessions.drain(vec![1]);
    order(1250).unwrap();
}
