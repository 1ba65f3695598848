monitor_runtime::business_metrics! {
    counter ORDERS = "orders_total", hlep = "Orders placed.";
    counter LOGINS = "logins_total", help = "Logins.", alert(rate_abve = 10.0);
}

fn main() {}
