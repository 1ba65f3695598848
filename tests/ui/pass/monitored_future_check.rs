//! The check that a function taken for a synchronous one returns no future lets
//! every plain value through (generic, `impl Trait`, references, `Self`), and
//! `future = false` opts a function that does return a future out of it.
use std::future::Future;
use std::pin::Pin;

use monitor_runtime::monitored;

pub type Handler = Pin<Box<dyn Future<Output = u32> + Send>>;

/// Timed while the future is built, as asked.
#[monitored(future = false)]
fn build_handler() -> Handler {
    Box::pin(async { 1 })
}

/// Timed until the future completes.
#[monitored(future)]
fn handler() -> Handler {
    Box::pin(async { 2 })
}

#[monitored]
fn plain(value: u32) -> u32 {
    value + 1
}

#[monitored]
fn unit() {}

#[monitored]
fn fallible(value: u32) -> Result<u32, String> {
    if value == 0 { Err("zero".to_owned()) } else { Ok(value) }
}

#[monitored]
fn generic<T: Clone>(value: &T) -> T {
    value.clone()
}

#[monitored]
fn numbers() -> impl Iterator<Item = u32> {
    (0..3).map(|n| n * 2)
}

#[monitored]
fn first(values: &[u32]) -> Option<&u32> {
    values.first()
}

pub struct Counter(u32);

#[monitored]
impl Counter {
    pub fn new() -> Self {
        Counter(0)
    }

    pub fn get(&self) -> &u32 {
        &self.0
    }
}

fn main() {
    drop(build_handler());
    drop(handler());
    assert_eq!(plain(1), 2);
    unit();
    assert!(fallible(0).is_err());
    assert_eq!(generic(&5u8), 5);
    assert_eq!(numbers().sum::<u32>(), 6);
    assert_eq!(first(&[4]), Some(&4));
    assert_eq!(*Counter::new().get(), 0);
}
