//! Methods of trait impls, sync and `async fn` in traits, with generic traits and
//! default-method overrides.

use monitor_runtime::monitored;

trait Repository {
    fn count(&self) -> usize;
    fn name(&self) -> &str {
        "default"
    }
    async fn load(&self, id: u32) -> Result<String, String>;
}

trait Convert<T> {
    fn convert(&self) -> T;

    /// A provided method of the trait itself can be monitored too.
    #[monitored]
    fn convert_twice(&self) -> (T, T) {
        (self.convert(), self.convert())
    }
}

struct Memory {
    items: Vec<String>,
}

impl Repository for Memory {
    #[monitored]
    fn count(&self) -> usize {
        self.items.len()
    }

    #[monitored(name = "memory_name")]
    fn name(&self) -> &str {
        "memory"
    }

    #[monitored]
    async fn load(&self, id: u32) -> Result<String, String> {
        self.items
            .get(id as usize)
            .cloned()
            .ok_or_else(|| format!("no item {id}"))
    }
}

impl Convert<u64> for Memory {
    #[monitored]
    fn convert(&self) -> u64 {
        self.items.len() as u64
    }
}

fn main() {
    let repo = Memory { items: vec!["a".to_owned()] };
    assert_eq!(repo.count(), 1);
    assert_eq!(repo.name(), "memory");
    assert_eq!(Convert::<u64>::convert(&repo), 1);
    assert_eq!(Convert::<u64>::convert_twice(&repo), (1, 1));
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        assert_eq!(repo.load(0).await.unwrap(), "a");
        assert!(repo.load(1).await.is_err());
    });
}
