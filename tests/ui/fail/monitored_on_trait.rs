use monitor_runtime::monitored;

#[monitored]
trait Repository {
    fn count(&self) -> usize;
}

trait Store {
    #[monitored]
    fn load(&self) -> u32;
}

fn main() {}
