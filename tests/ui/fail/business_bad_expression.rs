use monitor_runtime::business_metric;

pub struct Order {
    pub reference: String,
    pub total: f64,
}

pub struct Customer;

// `reference` is not a number.
#[business_metric(histogram = "order_value_euros", help = "Order value.", observe = ret.reference, buckets = [10.0])]
fn place(total: f64) -> Result<Order, ()> {
    Ok(Order { reference: "A-1".to_owned(), total })
}

// `Customer` is not a label value.
#[business_metric(counter = "orders_total", help = "Orders.", labels(customer = customer))]
fn order(customer: Customer) {}

// A misspelt field.
#[business_metric(counter = "sold_total", help = "Sold.", amount = ret.totl)]
fn sell() -> Order {
    Order { reference: String::new(), total: 1.0 }
}

fn main() {}
