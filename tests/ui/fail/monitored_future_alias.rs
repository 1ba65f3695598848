//! An alias of a boxed future whose name does not say so looks like a plain value to
//! the attribute; the type check on the returned value fails the build, naming the
//! fixes, rather than timing only the construction of the future.
use std::future::Future;
use std::pin::Pin;

use monitor_runtime::monitored;

pub type Handler = Pin<Box<dyn Future<Output = u32> + Send>>;

#[monitored]
fn handle() -> Handler {
    Box::pin(async { 1 })
}

pub struct Router;

impl Router {
    #[monitored]
    pub fn route<F: Future<Output = u32>>(&self, future: F) -> F {
        future
    }
}

fn main() {}
