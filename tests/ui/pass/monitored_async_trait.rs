//! `#[async_trait]` with `#[monitored]` in every order: on a method inside an
//! `#[async_trait]` impl, and on the whole impl block above or below `#[async_trait]`.

use async_trait::async_trait;
use monitor_runtime::monitored;

#[async_trait]
trait Service {
    async fn call(&self, input: u32) -> Result<u32, String>;
    async fn reset(&mut self);
}

struct MethodLevel;
struct AsyncTraitFirst;
struct MonitoredFirst {
    calls: u32,
}

#[async_trait]
impl Service for MethodLevel {
    #[monitored]
    async fn call(&self, input: u32) -> Result<u32, String> {
        if input == 0 {
            return Err("zero".to_owned());
        }
        Ok(input)
    }

    #[monitored(span = false)]
    async fn reset(&mut self) {}
}

#[async_trait]
#[monitored]
impl Service for AsyncTraitFirst {
    async fn call(&self, input: u32) -> Result<u32, String> {
        let checked = input.checked_mul(2).ok_or("overflow")?;
        Ok(checked)
    }

    async fn reset(&mut self) {}
}

#[monitored]
#[async_trait]
impl Service for MonitoredFirst {
    async fn call(&self, input: u32) -> Result<u32, String> {
        Ok(input + self.calls)
    }

    #[monitored(skip)]
    async fn reset(&mut self) {
        self.calls = 0;
    }
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        assert_eq!(assert_send(MethodLevel.call(1)).await, Ok(1));
        assert!(MethodLevel.call(0).await.is_err());
        MethodLevel.reset().await;
        assert_eq!(AsyncTraitFirst.call(2).await, Ok(4));
        assert!(AsyncTraitFirst.call(u32::MAX).await.is_err());
        AsyncTraitFirst.reset().await;
        let mut service = MonitoredFirst { calls: 1 };
        assert_eq!(assert_send(service.call(2)).await, Ok(3));
        service.reset().await;
        let dynamic: Box<dyn Service> = Box::new(MethodLevel);
        assert_eq!(dynamic.call(5).await, Ok(5));
    });
}
