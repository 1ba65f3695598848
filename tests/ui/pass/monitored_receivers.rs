//! Every kind of receiver, sync and async: `&self`, `&mut self`, `self`,
//! `mut self`, `self: Arc<Self>`, `self: Box<Self>`, `self: Pin<&mut Self>`.

use std::pin::Pin;
use std::sync::Arc;

use monitor_runtime::monitored;

#[derive(Clone, Default)]
struct Counter {
    value: u64,
}

impl Counter {
    #[monitored]
    fn get(&self) -> u64 {
        self.value
    }

    #[monitored]
    fn slot(&mut self) -> &mut u64 {
        &mut self.value
    }

    #[monitored]
    fn bump(&mut self) {
        self.value += 1;
    }

    #[monitored]
    fn into_value(self) -> u64 {
        self.value
    }

    #[monitored]
    fn doubled(mut self) -> Self {
        self.value *= 2;
        self
    }

    #[monitored]
    fn shared(self: Arc<Self>) -> u64 {
        self.value
    }

    #[monitored]
    fn boxed(self: Box<Self>) -> u64 {
        self.value
    }

    #[monitored]
    fn pinned(self: Pin<&mut Self>) -> u64 {
        self.value
    }

    #[monitored]
    async fn get_async(&self) -> u64 {
        self.value
    }

    #[monitored]
    async fn bump_async(&mut self) -> &mut Self {
        self.value += 1;
        self
    }

    #[monitored]
    async fn into_value_async(self) -> u64 {
        self.value
    }

    #[monitored]
    async fn shared_async(self: Arc<Self>) -> u64 {
        self.value
    }
}

fn main() {
    let mut counter = Counter::default();
    counter.bump();
    *counter.slot() += 1;
    assert_eq!(counter.get(), 2);
    assert_eq!(counter.clone().doubled().into_value(), 4);
    assert_eq!(Arc::new(counter.clone()).shared(), 2);
    assert_eq!(Box::new(counter.clone()).boxed(), 2);
    assert_eq!(Pin::new(&mut counter).pinned(), 2);

    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        counter.bump_async().await.value += 1;
        assert_eq!(counter.get_async().await, 4);
        assert_eq!(Arc::new(counter.clone()).shared_async().await, 4);
        assert_eq!(counter.into_value_async().await, 4);
    });
}
