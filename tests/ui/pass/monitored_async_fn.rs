//! `async fn`, free and associated, with `return`, `?` and borrowed arguments.

use monitor_runtime::monitored;

#[derive(Debug)]
struct NotFound;

#[monitored]
async fn lookup(key: &str) -> Result<usize, NotFound> {
    if key.is_empty() {
        return Err(NotFound);
    }
    let parsed: usize = key.len().try_into().map_err(|_| NotFound)?;
    Ok(parsed)
}

#[monitored]
async fn nothing() {}

struct Store;

impl Store {
    #[monitored]
    async fn fetch(&self, key: &str) -> Option<usize> {
        let value = lookup(key).await.ok()?;
        Some(value + 1)
    }

    #[monitored]
    async fn create() -> Self {
        Store
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        assert_eq!(lookup("abc").await.unwrap(), 3);
        assert!(lookup("").await.is_err());
        nothing().await;
        let store = Store::create().await;
        assert_eq!(store.fetch("ab").await, Some(3));
        assert_eq!(store.fetch("").await, None);
    });
}
