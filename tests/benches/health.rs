//! Probe latency while a check is slow, against a probe with no check, in the same
//! run. The check takes 200 ms. `cached`: its result is fresh. `run in progress`: its
//! result has expired and another probe is waiting for a run, so the probe gets the
//! previous result. `background refresh`: `refresh` keeps a run going all the time.
//! All should stay within a small factor of the baseline, far from 200 ms.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use monitor_runtime::health::{CheckFuture, CheckSpec, Health, HealthCheck, HealthRegistry, Probe};

struct Slow {
    cache: Duration,
    refresh: Option<Duration>,
}

impl HealthCheck for Slow {
    fn spec(&self) -> CheckSpec {
        let spec = CheckSpec::new("slow").cache(self.cache);
        match self.refresh {
            Some(interval) => spec.refresh(interval),
            None => spec,
        }
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            Health::healthy()
        })
    }
}

fn probes(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    let empty = HealthRegistry::new();
    let cached = HealthRegistry::new();
    cached
        .register(Slow {
            cache: Duration::from_secs(3600),
            refresh: None,
        })
        .unwrap();
    let in_progress = HealthRegistry::new();
    in_progress
        .register(Slow {
            cache: Duration::from_nanos(1),
            refresh: None,
        })
        .unwrap();
    let refreshing = HealthRegistry::new();
    refreshing
        .register(Slow {
            cache: Duration::from_nanos(1),
            refresh: Some(Duration::from_millis(1)),
        })
        .unwrap();
    // First results, so that later probes have something to serve.
    for checks in [&cached, &in_progress, &refreshing] {
        runtime.block_on(checks.report(Probe::Readiness));
    }
    // A prober that always waits for a run, so that one is always in progress.
    runtime.spawn({
        let in_progress = in_progress.clone();
        async move {
            loop {
                in_progress.report(Probe::Readiness).await;
            }
        }
    });

    let mut group = c.benchmark_group("readiness probe");
    group.bench_function("baseline, no check", |b| {
        b.iter(|| runtime.block_on(empty.report(Probe::Readiness)))
    });
    group.bench_function("slow check, cached", |b| {
        b.iter(|| runtime.block_on(cached.report(Probe::Readiness)))
    });
    group.bench_function("slow check, run in progress", |b| {
        b.iter(|| runtime.block_on(in_progress.report(Probe::Readiness)))
    });
    group.bench_function("slow check, background refresh", |b| {
        b.iter(|| runtime.block_on(refreshing.report(Probe::Readiness)))
    });
    group.finish();

    // The same through HTTP (a new connection per probe, as kubelet does).
    let (empty_addr, slow_addr) = runtime.block_on(async {
        (
            serve(empty.routes()).await,
            serve(refreshing.routes()).await,
        )
    });
    let mut group = c.benchmark_group("GET /readyz");
    group.bench_function("baseline, no check", |b| {
        b.iter(|| runtime.block_on(get(empty_addr)))
    });
    group.bench_function("slow check, background refresh", |b| {
        b.iter(|| runtime.block_on(get(slow_addr)))
    });
    group.finish();
}

async fn serve(router: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

async fn get(addr: std::net::SocketAddr) -> usize {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /readyz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    assert!(response.starts_with(b"HTTP/1.1 200"));
    response.len()
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(50)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    targets = probes
}
criterion_main!(benches);
