//! Orders: a checkout that reserves stock, charges a payment and sends a
//! confirmation. Stock runs out and payments get declined now and then.

use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use monitor_runtime::monitored;

/// Items left in the warehouse; restocked by the workload.
static STOCK: AtomicU32 = AtomicU32::new(50);

/// A customer's order.
#[derive(Debug, Clone, Copy)]
pub struct Order {
    pub id: u64,
    pub quantity: u32,
    pub unit_price_cents: u64,
}

/// Why an order was not placed.
#[derive(Debug)]
pub enum OrderError {
    OutOfStock { wanted: u32, left: u32 },
    PaymentDeclined,
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderError::OutOfStock { wanted, left } => {
                write!(f, "out of stock: wanted {wanted}, {left} left")
            }
            OrderError::PaymentDeclined => f.write_str("payment declined"),
        }
    }
}

impl std::error::Error for OrderError {}

/// Places an order: every step is monitored, and so is the whole.
#[monitored]
pub async fn place_order(order: Order) -> Result<u64, OrderError> {
    reserve_stock(order.quantity)?;
    let total = order_total(&order);
    if let Err(error) = charge_payment(total).await {
        STOCK.fetch_add(order.quantity, Ordering::Relaxed);
        return Err(error);
    }
    send_confirmation(order.id).await;
    Ok(total)
}

/// Takes `quantity` items out of stock, or fails without taking any.
#[monitored]
fn reserve_stock(quantity: u32) -> Result<u32, OrderError> {
    STOCK
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
            left.checked_sub(quantity)
        })
        .map(|left| left - quantity)
        .map_err(|left| OrderError::OutOfStock {
            wanted: quantity,
            left,
        })
}

/// The price of an order, in cents. Never fails.
#[monitored]
fn order_total(order: &Order) -> u64 {
    order.unit_price_cents * u64::from(order.quantity)
}

/// Talks to the (simulated) payment provider: slow, and declines about one
/// payment in twelve. Native histogram buckets (for a scraper that asks for the
/// protobuf format) beside classic ones (for the others).
#[monitored(native, buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25])]
async fn charge_payment(amount_cents: u64) -> Result<u64, OrderError> {
    tokio::time::sleep(Duration::from_millis(5 + crate::percent() / 3)).await;
    if crate::percent() < 8 {
        Err(OrderError::PaymentDeclined)
    } else {
        Ok(amount_cents)
    }
}

/// Sends the confirmation e-mail (simulated).
#[monitored]
async fn send_confirmation(order_id: u64) {
    tokio::time::sleep(Duration::from_millis(1)).await;
    let _ = order_id;
}

/// Restocks the warehouse.
#[monitored]
fn restock(items: u32) -> u32 {
    STOCK.fetch_add(items, Ordering::Relaxed) + items
}

/// Orders taken so far; the next one gets the next number.
static TAKEN: AtomicU64 = AtomicU64::new(0);

/// Takes one order (the HTTP API's `POST /orders` comes here) and restocks now and then. Returns the order's number and outcome.
/// Each order runs in a trace of its own (a span with `trace_id` and `span_id`), so
/// that its calls leave exemplars.
pub async fn take_order(quantity: u32, unit_price_cents: u64) -> (u64, Result<u64, OrderError>) {
    use tracing::Instrument as _;
    let id = TAKEN.fetch_add(1, Ordering::Relaxed) + 1;
    let trace = tracing::info_span!(
        "order",
        order = id,
        trace_id = %format!("{:016x}{:016x}", crate::random(), crate::random()),
        span_id = %format!("{:016x}", crate::random() | 1),
    );
    let result = place_order(Order {
        id,
        quantity,
        unit_price_cents,
    })
    .instrument(trace)
    .await;
    if id.is_multiple_of(25) {
        restock(40);
    }
    (id, result)
}

/// How many orders were taken.
pub fn taken() -> u64 {
    TAKEN.load(Ordering::Relaxed)
}
