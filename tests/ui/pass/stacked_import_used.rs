//! `#[monitored]` above `#[business_metric]` absorbs it, and the import of
//! `business_metric` still counts as used (no `unused_imports` warning), in a free
//! function and in a method.

#![deny(warnings)]

use monitor_runtime::{business_metric, monitored};

#[derive(Debug)]
pub struct Declined;

#[monitored]
#[business_metric(counter = "import_used_payments_total", help = "Payments.")]
pub fn pay(amount: i64) -> Result<i64, Declined> {
    if amount > 0 { Ok(amount) } else { Err(Declined) }
}

pub struct Shop;

impl Shop {
    #[monitored]
    #[business_metric(counter = "import_used_refunds_total", help = "Refunds.")]
    pub fn refund(&self, amount: i64) -> Result<i64, Declined> {
        pay(amount)
    }
}

fn main() {
    assert_eq!(pay(3).unwrap(), 3);
    assert_eq!(Shop.refund(2).unwrap(), 2);
}
