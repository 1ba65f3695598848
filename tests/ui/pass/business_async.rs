use std::future::Future;
use std::pin::Pin;

use monitor_runtime::business_metric;

#[business_metric(counter = "payments_total", help = "Payments.", labels(currency = currency))]
async fn pay(currency: String, cents: u64) -> Result<u64, String> {
    if cents == 0 {
        return Err("empty".to_owned());
    }
    Ok(cents)
}

#[business_metric(histogram = "refund_value_euros", help = "Refunds.", observe = *ret, buckets = [10.0, 100.0])]
fn refund(euros: f64) -> impl Future<Output = f64> {
    async move { euros }
}

#[async_trait::async_trait]
pub trait Shop {
    async fn buy(&self, item: &str) -> Result<u32, String>;
    fn sell(&self) -> Pin<Box<dyn Future<Output = u32> + Send + '_>>;
}

pub struct Store;

#[async_trait::async_trait]
impl Shop for Store {
    #[business_metric(counter = "purchases_total", help = "Purchases.", labels(item = item))]
    async fn buy(&self, item: &str) -> Result<u32, String> {
        Ok(item.len() as u32)
    }

    #[business_metric(counter = "sales_total", help = "Sales.", amount = *ret)]
    fn sell(&self) -> Pin<Box<dyn Future<Output = u32> + Send + '_>> {
        Box::pin(async { 2 })
    }
}

fn main() {
    let _ = pay("eur".to_owned(), 10);
    let _ = refund(1.0);
    let _ = Store.buy("book");
    let _ = Store.sell();
}
