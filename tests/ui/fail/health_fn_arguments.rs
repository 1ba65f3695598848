use monitor_runtime::health_check;

struct Pool;

#[health_check]
async fn database(pool: &Pool) -> bool {
    let _ = pool;
    true
}

fn main() {}
