//! A background-refreshed check registered outside any runtime starts refreshing at
//! the first scrape: a service that is scraped but never probed still has current
//! `health_check_status`. Its own test binary, so that no probe of another test
//! starts the refresh instead.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use monitor_runtime::health::{CheckFuture, CheckSpec, Health, HealthCheck, HealthRegistry};

struct Counting {
    runs: Arc<AtomicUsize>,
}

impl HealthCheck for Counting {
    fn spec(&self) -> CheckSpec {
        CheckSpec::new("scraped-only").refresh(Duration::from_millis(20))
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async move {
            self.runs.fetch_add(1, Ordering::SeqCst);
            Health::healthy()
        })
    }
}

#[test]
fn a_scrape_starts_the_background_refresh() {
    let runs = Arc::new(AtomicUsize::new(0));
    let checks = HealthRegistry::new();
    checks.register(Counting { runs: runs.clone() }).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        assert_eq!(
            runs.load(Ordering::SeqCst),
            0,
            "registered outside a runtime"
        );
        monitor_runtime::render_metrics().unwrap(); // what `/metrics` does
        let waiting = async {
            while runs.load(Ordering::SeqCst) < 2 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(20), waiting)
            .await
            .expect("the scrape started the background refresh");
        let labels = [("check", "scraped-only"), ("status", "healthy")];
        assert_eq!(
            monitor_tests::sample("health_check_status", &labels),
            Some(1.0)
        );
    });
}
