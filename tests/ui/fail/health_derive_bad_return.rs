use monitor_runtime::HealthCheck;

#[derive(HealthCheck)]
#[health(check = depth)]
struct Queue {
    depth: usize,
}

impl Queue {
    fn depth(&self) -> usize {
        self.depth
    }
}

fn main() {}
