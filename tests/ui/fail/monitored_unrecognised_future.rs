//! A return type named like a future that the attribute cannot see through is an
//! error naming the fixes, rather than timing only the construction of the future.
use std::future::Future;
use std::pin::Pin;

use monitor_runtime::{business_metric, monitored};

pub trait Service {
    type Future: Future<Output = u32>;
    fn call(&self) -> Self::Future;
}

pub struct Echo;

#[monitored]
impl Service for Echo {
    type Future = Pin<Box<dyn Future<Output = u32> + Send>>;

    fn call(&self) -> Self::Future {
        Box::pin(async { 1 })
    }
}

pub type ResponseFuture = Pin<Box<dyn Future<Output = u32> + Send>>;

#[business_metric(counter = "unrecognised_total", help = "Calls.")]
fn respond() -> ResponseFuture {
    Box::pin(async { 1 })
}

fn main() {}
