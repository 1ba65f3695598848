//! `#[monitored]` on a whole `impl` block: every method is monitored under the
//! label `Type::method`, a method can refine the block's arguments, and
//! `#[monitored(skip)]` opts one out. Constants and types in the block are left alone.

use monitor_runtime::monitored;

struct Orders {
    placed: u32,
}

#[monitored(buckets = [0.001, 0.01, 0.1])]
impl Orders {
    const LIMIT: u32 = 10;

    fn new() -> Self {
        Orders { placed: 0 }
    }

    fn place(&mut self) -> Result<u32, String> {
        if self.placed == Self::LIMIT {
            return Err("full".to_owned());
        }
        self.placed += 1;
        Ok(self.placed)
    }

    #[monitored(name = "orders_total_placed")]
    fn placed(&self) -> u32 {
        self.placed
    }

    async fn refresh(&self) -> u32 {
        self.placed
    }

    #[monitored(skip)]
    fn helper(&self) -> u32 {
        self.placed * 2
    }

    const fn limit() -> u32 {
        Self::LIMIT
    }
}

fn main() {
    monitor_runtime::init().unwrap();
    let mut orders = Orders::new();
    orders.place().unwrap();
    assert_eq!(orders.placed(), 1);
    assert_eq!(orders.helper(), 2);
    assert_eq!(Orders::limit(), 10);
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(runtime.block_on(orders.refresh()), 1);

    let text = monitor_runtime::render_metrics().unwrap();
    for label in ["Orders::new", "Orders::place", "orders_total_placed", "Orders::refresh"] {
        assert!(text.contains(&format!("function=\"{label}\"")), "{label} missing:\n{text}");
    }
    assert!(!text.contains("Orders::helper"), "a skipped method is not monitored");
    assert!(!text.contains("Orders::limit"), "a const fn is not monitored");
    assert!(!text.contains("Orders::placed\""), "`name` replaces the label");
    assert!(text.contains("le=\"0.01\""), "the block's buckets apply to its methods");
}
