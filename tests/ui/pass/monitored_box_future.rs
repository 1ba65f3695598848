//! Functions returning a boxed future by name are timed to completion: `BoxFuture`
//! and `LocalBoxFuture` (recognised by name), and with `#[monitored(future)]` an alias
//! of `Pin<Box<dyn Future>>` or an associated type.

#![deny(warnings)]

use std::future::Future;
use std::pin::Pin;

use monitor_runtime::{business_metric, monitored};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;
pub type Reply = Pin<Box<dyn Future<Output = Result<u32, String>> + Send>>;

#[monitored]
fn fetch(id: u32) -> BoxFuture<'static, Result<u32, String>> {
    Box::pin(async move { if id == 0 { Err("none".to_owned()) } else { Ok(id) } })
}

#[monitored]
fn fetch_local(name: &str) -> LocalBoxFuture<'_, usize> {
    Box::pin(async move { name.len() })
}

#[monitored(future)]
fn reply(id: u32) -> Reply {
    Box::pin(async move { Ok(id) })
}

pub trait Service {
    type Future: Future<Output = Result<u32, String>>;
    fn call(&self, id: u32) -> Self::Future;
}

pub struct Echo;

#[monitored(future)]
impl Service for Echo {
    type Future = Pin<Box<dyn Future<Output = Result<u32, String>> + Send>>;

    fn call(&self, id: u32) -> Self::Future {
        Box::pin(async move { Ok(id) })
    }
}

/// Named like a future, but not one.
pub struct CallFuture(u32);

#[monitored(future = false)]
fn not_a_future() -> CallFuture {
    CallFuture(1)
}

#[business_metric(counter = "box_future_fetches_total", help = "Fetches.", labels(id = id))]
#[monitored]
fn counted(id: u32) -> BoxFuture<'static, Result<u32, String>> {
    Box::pin(async move { Ok(id) })
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        assert_eq!(fetch(1).await, Ok(1));
        assert!(fetch(0).await.is_err());
        assert_eq!(fetch_local("abc").await, 3);
        assert_eq!(reply(2).await, Ok(2));
        assert_eq!(Echo.call(3).await, Ok(3));
        assert_eq!(counted(4).await, Ok(4));
    });
    assert_eq!(not_a_future().0, 1);
}
