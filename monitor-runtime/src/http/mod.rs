//! Everything served over HTTP: the exporter (`/metrics`, a ready-made server and a
//! router to merge), the dashboard and the alert routes; it merges in the health
//! endpoints, which the health feature builds itself (see [`crate::health`]).
//! The HTTP server metrics of your own routes come from [`HttpMetricsLayer`].
//!
//! [`crate::serve`] runs the routes on an address; [`Exporter`](crate::Exporter) binds first (read
//! the port back, set limits, credentials and TLS, choose the shutdown signal);
//! [`crate::router`] gives them as an axum `Router` to merge into a server of your
//! own. Serving your own routes beside them takes, besides this crate, `axum = "0.8"`
//! (its default features, or at least `tokio`, `http1` and the extractors you use)
//! and `tokio = "1"` with `rt-multi-thread`, `macros` and `net`.
//!
//! ## Routes
//!
//! | route | answers |
//! |---|---|
//! | `GET /metrics` | every figure, in the format the scraper asks for (see [the crate docs](crate#exposition-formats)) |
//! | `GET /dashboard` | the built-in dashboard (below) |
//! | `GET /dashboard/data.json` | its figures, as JSON |
//! | `GET /dashboard/grafana.json` | the generated Grafana dashboards ([`crate::grafana`]) |
//! | `GET /alerts/rules.yml` | the alert rules, a Prometheus rule file ([`crate::alerts`]) |
//! | `GET /alerts`, `GET /alerts/history` | the alerts of the embedded evaluator and their transitions ([`crate::alerts::EmbeddedAlerts`]) |
//! | `/health`, `/health/…`, `/livez`, `/readyz` | the health endpoints (see [`crate::health`]) |
//!
//! The standalone server also redirects `GET /` to the dashboard and answers other
//! paths with a short plain-text `404`; other methods on these paths get `405`. The
//! dashboard's links are relative, so the routes work nested under a prefix
//! (`nest("/ops", …)`).
//!
//! ## The dashboard
//!
//! `/dashboard` is one self-contained page (no CDN, no outside resource; a strict
//! content security policy with its own script only): tables rendered on the server,
//! readable without JavaScript, and a small script that updates them in place every
//! 2 s from `dashboard/data.json` and draws charts of the last hour.
//!
//! - **Monitored functions and HTTP routes**: calls, errors, calls per second, error
//!   ratio, calls in progress, mean and p50/p95/p99 latency over the last minute;
//!   charts of rate, error ratio and p95 for the busiest eight. Percentiles come from
//!   the histograms: each is the estimate `histogram_quantile` would give, the bucket
//!   it lies in shows on hover, and `≤ 100 µs` means "in the first bucket". Give a
//!   function whose timings matter at a finer grain `buckets = [...]` of its own (a
//!   route, [`HttpMetricsLayer::duration_buckets`]).
//! - **Business metrics**: value, rate per second, label sets and a sparkline of the
//!   hour.
//! - **Health**: every check, colour-coded, with its reason when the viewer is
//!   authorised (the exporter's credentials, or none set); **active alerts** of the
//!   embedded evaluator ("alerts not enabled" when it is not running); **system
//!   resources** of the host and of the process (CPU, memory, disks, open files);
//!   **registration problems** as a banner.
//! - Tables sort on a click on their header and filter as you type. The page is
//!   titled with the service's [`identity`](crate::identity).
//!
//! Behind the charts is one reading of the registry every 5 s, kept for an hour: at
//! most 721 readings of about `(functions + routes) × (buckets × 8 + 150)` bytes each
//! (about 10 MiB for 50 functions and routes with the default buckets).
//!
//! ## Exposing the exporter
//!
//! The exporter defends itself against slow, silent and numerous clients, and
//! takes a bearer token (or the `MONITOR_TOKEN` environment variable), basic
//! authentication and TLS: see [`Exporter`](crate::Exporter) for every limit, its default, and which
//! routes stay public for Kubernetes probes. The quickstart, secured:
//!
//! ```sh
//! head -c 32 /dev/urandom | base64 > token.txt
//! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
//!     -subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout key.pem -out cert.pem
//! cargo run -p quickstart -- --token "$(cat token.txt)" --tls-cert cert.pem --tls-key key.pem
//! ```
//!
//! and the Prometheus scrape job that goes with it (`basic_auth: {username: ...,
//! password: ...}` instead of `authorization` for [`Exporter::basic_auth`](crate::Exporter::basic_auth);
//! Prometheus asks for gzip by itself):
//!
//! ```yaml
//! scrape_configs:
//!   - job_name: quickstart
//!     scheme: https
//!     authorization:
//!       type: Bearer
//!       credentials_file: /etc/prometheus/token.txt   # or `credentials: <token>`
//!     tls_config:
//!       ca_file: /etc/prometheus/cert.pem             # the server's certificate or its CA
//!       server_name: localhost
//!     static_configs:
//!       - targets: ['localhost:9898']
//! ```
//!
//! This is the outermost layer: it reads the global registry through `core` and
//! the health checks through the public API of [`crate::health`]; no feature imports
//! it. Behind the `http` cargo feature.

pub(crate) mod alerts;
mod answer;
mod auth;
mod dashboard;
pub(crate) mod exporter;
pub(crate) mod metrics;
mod outcome;
mod own;
mod render;
mod server;
mod tls;

pub use metrics::{HttpMetrics, HttpMetricsLayer, ResponseBody, ResponseFuture, UNMATCHED_ROUTE};
