//! `#[monitored]` and `#[business_metric]` stacked in either order, interleaved with
//! other attributes, on every call shape: sync, `async fn`, `impl Future`, the boxed
//! future of `#[async_trait]`, and methods of a monitored `impl` block. They share one
//! wrapper, which adds no warnings (`deny(warnings)`).

#![deny(warnings)]

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use monitor_runtime::{business_metric, monitored};

#[derive(Debug)]
pub struct Declined;

// Three attributes of ours and two of others': the others stay in place.
#[business_metric(counter = "stacked_payments_total", help = "Payments.", labels(currency = currency))]
#[inline]
#[monitored(name = "stacked_pay")]
#[must_use]
#[business_metric(counter = "stacked_declines_total", help = "Declines.", labels(currency = currency), on = "error")]
pub fn pay(amount: i64, currency: &str) -> Result<i64, Declined> {
    if amount == 0 {
        return Err(Declined);
    }
    let checked = if amount > 0 { Ok(amount) } else { Err(Declined) }?;
    Ok(checked)
}

// `#[track_caller]` survives: the body is not moved into a closure.
#[track_caller]
#[monitored]
#[business_metric(counter = "stacked_lookups_total", help = "Lookups.")]
pub fn lookup(values: &mut Vec<u32>) -> &mut u32 {
    values.first_mut().unwrap()
}

#[business_metric(counter = "stacked_fetches_total", help = "Fetches.", amount = *ret)]
#[monitored]
pub fn fetch(id: u64) -> impl Future<Output = Result<u64, Declined>> {
    let id = if id > 0 { Some(id) } else { None };
    async move { id.ok_or(Declined) }
}

#[monitored]
#[business_metric(counter = "stacked_fetches_total", help = "Fetches.", amount = *ret)]
pub fn fetch_boxed(id: u64) -> Pin<Box<dyn Future<Output = Result<u64, Declined>> + Send>> {
    Box::pin(async move { if id > 0 { Ok(id) } else { Err(Declined) } })
}

#[async_trait]
pub trait Store {
    async fn save(&self, size: u64) -> Result<u64, Declined>;
    async fn load(&self, size: u64) -> Result<u64, Declined>;
}

pub struct Disk;

#[async_trait]
impl Store for Disk {
    #[monitored]
    #[business_metric(histogram = "stacked_saved_bytes", help = "Saved sizes.", observe = *ret, buckets = [1e3, 1e6])]
    async fn save(&self, size: u64) -> Result<u64, Declined> {
        Ok(size)
    }

    #[business_metric(histogram = "stacked_loaded_bytes", help = "Loaded sizes.", observe = *ret, buckets = [1e3, 1e6])]
    #[monitored]
    async fn load(&self, size: u64) -> Result<u64, Declined> {
        if size == 0 {
            return Err(Declined);
        }
        Ok(size)
    }
}

pub struct Cart {
    items: Vec<u32>,
}

#[monitored]
impl Cart {
    #[business_metric(gauge = "stacked_cart_items", help = "Items in the cart.", set = ret.len() as f64, on = "always")]
    #[monitored(name = "cart_add")]
    #[business_metric(counter = "stacked_cart_adds_total", help = "Additions.")]
    pub fn add(&mut self, item: u32) -> &[u32] {
        self.items.push(item);
        &self.items
    }

    #[business_metric(counter = "stacked_checkouts_total", help = "Checkouts.")]
    pub async fn check_out(&mut self) -> Result<usize, Declined> {
        let count = self.items.len();
        self.items.clear();
        Ok(count)
    }

    #[monitored(skip)]
    #[business_metric(counter = "stacked_peeks_total", help = "Peeks.")]
    pub fn peek(&self) -> Option<&u32> {
        self.items.first()
    }
}

fn main() {
    let _ = pay(5, "eur");
    let mut values = vec![1];
    *lookup(&mut values) += 1;
    let _ = fetch(1);
    let _ = fetch_boxed(1);
    let _ = Disk.save(1);
    let _ = Disk.load(1);
    let mut cart = Cart { items: Vec::new() };
    let _ = cart.add(1);
    let _ = cart.peek();
    drop(cart.check_out());
}
