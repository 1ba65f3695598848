// The right examples are standalone crates: merged into one doctest binary, their
// metrics (the same name declared with different labels, one per rule) would clash at
// registration and fail the other doctests that call `init`.
//! # Compile-time diagnostics
//!
//! Every metric name, label, help text, bucket list and duration given to the
//! attributes of this crate is checked while your code compiles, so that whatever
//! compiles exposes metrics that Prometheus accepts and that `promtool check metrics`
//! finds nothing wrong with. Each rule has a code; the compiler error shows it in
//! brackets, points at the literal or argument at fault, and usually says what to
//! write instead:
//!
//! ```text
//! error: metric name `login-attempts` is not a valid Prometheus name: `-` is not allowed [M001]
//!        = help: use `login_attempts_total`
//!  --> src/auth.rs:12:33
//!    |
//! 12 | #[business_metric(counter = "login-attempts", help = "Login attempts")]
//!    |                             ^^^^^^^^^^^^^^^^
//! ```
//!
//! All the mistakes of one attribute are reported in the same build. The rules follow
//! the [Prometheus data model](https://prometheus.io/docs/concepts/data_model/), the
//! [naming practices](https://prometheus.io/docs/practices/naming/) and `promtool`'s
//! linter; a few are stricter than `promtool` where a name would mislead a reader of
//! a dashboard (noted below).
//!
//! | code | rule |
//! |---|---|
//! | [M001](#m001-invalid-character) | only letters, digits and `_` |
//! | [M002](#m002-empty-name) | a name is never empty |
//! | [M003](#m003-leading-digit) | a name does not start with a digit |
//! | [M004](#m004-colon) | colons are for recording rules |
//! | [M005](#m005-leading-double-underscore) | `__` starts names Prometheus reserves |
//! | [M006](#m006-not-snake_case) | snake_case |
//! | [M007](#m007-reserved-name) | no name of the framework's own families, nor of those Prometheus adds |
//! | [M010](#m010-counter-without-_total) | counters end in `_total` |
//! | [M011](#m011-_total-on-a-non-counter) | nothing else ends in `_total` |
//! | [M012](#m012-reserved-suffix) | no `_count`, `_sum`, `_bucket`, `_created`, `_info` suffix |
//! | [M013](#m013-type-in-the-name) | no `counter`, `gauge`, `histogram`, `summary` in the name |
//! | [M014](#m014-non-base-unit) | base units: seconds, bytes, ratios… |
//! | [M015](#m015-abbreviated-unit) | units spelled out |
//! | [M020](#m020-reserved-label) | no `le`, `quantile`, `__*`, nor labels the framework sets |
//! | [M021](#m021-duplicate-label) | each label once |
//! | [M030](#m030-missing-or-empty-help) | help text present and not blank |
//! | [M040](#m040-empty-buckets) | at least one bucket |
//! | [M041](#m041-bucket-not-positive-and-finite) | buckets positive and finite |
//! | [M042](#m042-buckets-not-strictly-increasing) | buckets strictly increasing |
//! | [M043](#m043-buckets-not-a-literal-list) | buckets written as a literal list |
//! | [M044](#m044-histogram-without-buckets) | a histogram not in seconds gives its buckets |
//! | [M045](#m045-native-histogram-schema) | native histogram schemas from -4 to 8 |
//! | [M050](#m050-bad-duration) | durations such as `"500ms"` |
//! | [M051](#m051-zero-duration) | durations longer than zero |
//! | [M052](#m052-duration-too-long) | durations that fit in 64-bit nanoseconds |
//! | [M060](#m060-label-from-a-secret) | no label values from passwords, tokens, keys |
//! | [M070](#m070-ratio-outside-0-1) | objective ratios in (0, 1) |
//! | [M071](#m071-objective-without-a-target) | an objective has a target, a latency target a share |
//! | [M072](#m072-alert-condition-that-does-not-fit) | one alert condition, fitting the metric's kind |
//! | [M073](#m073-bad-alert-threshold) | alert thresholds are number literals, not negative |
//! | [M074](#m074-unknown-severity) | severities are `critical` or `warning` |
//!
//! ## M001: invalid character
//!
//! Metric and label names match `[a-zA-Z_][a-zA-Z0-9_]*`: no `-`, `.`, spaces or
//! non-ASCII letters. The help line gives the name with accents dropped (`café` becomes
//! `cafe`) and every other such character turned into `_`. Label names are identifiers:
//! `labels(user-id = ...)` and `labels("user-id" = ...)` get this error with the name to
//! write (`user_id`). Label *values* may hold any text, but the `function` label value set by
//! `#[monitored(name = "...")]` may not hold control characters such as line breaks.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "login-attempts", help = "Login attempts")]
//! fn log_in() {}
//! # fn main() {}
//! ```
//! ```compile_fail
//! # use monitor_runtime::monitored;
//! #[monitored(name = "checkout\nstep")]
//! fn checkout() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "login_attempts_total", help = "Login attempts")]
//! fn log_in() {}
//! # fn main() {}
//! ```
//! ```rust,standalone_crate
//! # use monitor_runtime::monitored;
//! #[monitored(name = "checkout step")]
//! fn checkout() {}
//! # fn main() {}
//! ```
//!
//! ## M002: empty name
//!
//! A metric or label name, or the `function` label value of `#[monitored(name = "...")]`,
//! is empty or blank.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(gauge = "", help = "Jobs waiting", set = ret)]
//! fn jobs_waiting() -> usize {
//!     3
//! }
//! # fn main() {}
//! ```
//! ```compile_fail
//! # use monitor_runtime::monitored;
//! #[monitored(name = "")]
//! fn checkout() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(gauge = "queue_length", help = "Jobs waiting", set = ret)]
//! fn jobs_waiting() -> usize {
//!     3
//! }
//! # fn main() {}
//! ```
//! ```rust,standalone_crate
//! # use monitor_runtime::monitored;
//! #[monitored(name = "checkout")]
//! fn checkout() {}
//! # fn main() {}
//! ```
//!
//! ## M003: leading digit
//!
//! Names start with a letter or `_`. The suggestion moves the leading number back:
//! `5xx_errors_total` becomes `errors_5xx_total`.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "5xx_errors_total", help = "Server errors")]
//! fn fail() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "errors_5xx_total", help = "Server errors")]
//! fn fail() {}
//! # fn main() {}
//! ```
//!
//! ## M004: colon
//!
//! Colons are valid in Prometheus metric names but reserved for the results of
//! recording rules (`job:requests:rate5m`); instrumented code does not use them.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "shop:orders_total", help = "Orders placed")]
//! fn place_order() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "shop_orders_total", help = "Orders placed")]
//! fn place_order() {}
//! # fn main() {}
//! ```
//!
//! ## M005: leading double underscore
//!
//! Names beginning with `__` are reserved for Prometheus' internal use. (Stricter than
//! `promtool`, which does not check it.)
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "__orders_total", help = "Orders placed")]
//! fn place_order() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "orders_total", help = "Orders placed")]
//! fn place_order() {}
//! # fn main() {}
//! ```
//!
//! ## M006: not snake_case
//!
//! Metric and label names are lowercase words joined by `_`: `requestCount` becomes
//! `request_count_total` for a counter, a label `userId` becomes `user_id`. (`promtool`
//! flags `camelCase`; this rule also flags names in capitals.)
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "requestCount", help = "Requests served")]
//! fn serve() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "request_count_total", help = "Requests served")]
//! fn serve() {}
//! # fn main() {}
//! ```
//!
//! ## M007: reserved name
//!
//! The framework exposes metric families of its own, and Prometheus adds series to
//! every target it scrapes; a metric of yours with one of their names would fail to
//! register or be mistaken for theirs. Reserved are the names starting with:
//!
//! | prefix | who emits it |
//! |---|---|
//! | `function_calls_` | `#[monitored]` |
//! | `health_check_` | health checks |
//! | `monitor_` | the framework's own counters (overflowing label sets, exposition errors, …) |
//! | `process_` | the process collector (feature `system`) |
//! | `http_server_` | the HTTP server layer (OpenTelemetry HTTP conventions) |
//! | `http_client_` | the HTTP client layer (feature `client`, OpenTelemetry HTTP conventions) |
//! | `db_client_` | watched connection pools (OpenTelemetry database conventions) |
//! | `tokio_` | the tokio runtime metrics |
//! | `system_` | the host metrics of `monitor_runtime::system` (CPU, memory, disks, network) |
//! | `scrape_` | Prometheus, at each scrape |
//!
//! and the whole names `up` (Prometheus, at each scrape), `ALERTS` and
//! `ALERTS_FOR_STATE` (Prometheus' alert state), `target_info` (OpenTelemetry resource
//! attributes), `cache_hits_total` and `cache_misses_total` (the cache pattern) and
//! `build_info` (kept for the build of the service). Prefixes match
//! whole words in any case (`processed_jobs_total` is fine, `Process_Open_Fds` is not).
//! Recording-rule names such as `slo:errors:ratio_rate5m` are refused by M004 already.
//! The suggestion keeps your words in a family of your own, `app_…`: better still,
//! start the name with your service or domain.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "process_orders_total", help = "Orders processed")]
//! fn process_order() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "shop_orders_processed_total", help = "Orders processed")]
//! fn process_order() {}
//! # fn main() {}
//! ```
//!
//! ## M010: counter without `_total`
//!
//! Counters end in `_total`, so that a reader knows to take a `rate()` of them. A unit
//! goes before it: `request_duration_seconds_total`. A name that ends in `_` after it
//! (`orders_total_`) does not end in `_total` either, as `promtool` reads it.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "login_attempts", help = "Login attempts")]
//! fn log_in() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "login_attempts_total", help = "Login attempts")]
//! fn log_in() {}
//! # fn main() {}
//! ```
//!
//! ## M011: `_total` on a non-counter
//!
//! Gauges and histograms do not end in `_total`: it promises a counter.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(gauge = "queue_length_total", help = "Jobs waiting", set = ret)]
//! fn jobs_waiting() -> usize {
//!     3
//! }
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(gauge = "queue_length", help = "Jobs waiting", set = ret)]
//! fn jobs_waiting() -> usize {
//!     3
//! }
//! # fn main() {}
//! ```
//!
//! ## M012: reserved suffix
//!
//! A histogram `x` exposes `x_bucket`, `x_sum` and `x_count`; OpenMetrics adds
//! `x_created`; `_info` marks info metrics. A metric of your own with such a suffix
//! would be mistaken for one of those series. (`promtool` checks `_count`, `_sum` and
//! `_bucket`; this rule also covers `_created` and `_info`.)
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(gauge = "jobs_count", help = "Jobs waiting", set = ret)]
//! fn jobs_waiting() -> usize {
//!     3
//! }
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(gauge = "jobs", help = "Jobs waiting", set = ret)]
//! fn jobs_waiting() -> usize {
//!     3
//! }
//! # fn main() {}
//! ```
//!
//! ## M013: type in the name
//!
//! `# TYPE` already says whether a metric is a counter, gauge, histogram or summary;
//! the name says what it measures.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "requests_counter", help = "Requests served")]
//! fn serve() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "requests_total", help = "Requests served")]
//! fn serve() {}
//! # fn main() {}
//! ```
//!
//! ## M014: non-base unit
//!
//! Prometheus uses base units: `seconds` (not `milliseconds`, `minutes`, `hours`),
//! `bytes` (not `kilobytes`, `bits`), `meters`, `grams`, `celsius`, `joules`, and ratios
//! between 0 and 1 (not `percent`). The note of the error says how the values change:
//! after renaming `request_latency_milliseconds` to `request_latency_seconds`, record
//! seconds. (`promtool` 2.42 does not check `percent`; later versions do.)
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(histogram = "payment_latency_milliseconds", help = "Payment latency", observe = ret)]
//! fn handle() -> std::time::Duration {
//!     std::time::Duration::from_millis(20)
//! }
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(histogram = "payment_latency_seconds", help = "Payment latency", observe = ret)]
//! fn handle() -> std::time::Duration {
//!     std::time::Duration::from_millis(20)
//! }
//! # fn main() {}
//! ```
//!
//! ## M015: abbreviated unit
//!
//! Units are spelled out: `_ms`, `_us`, `_s`, `_sec`, `_mins`, `_h`, `_d` become
//! `_seconds`; `_b`, `_kb`, `_mb`, `_gb` become `_bytes`; `_pct` becomes `_ratio`. `_m`
//! could be minutes or meters, so the error names both and suggests neither. `_min` is
//! accepted: as a last word it usually means "minimum" (`temperature_celsius_min`).
//!
//! The unit of a name is its last word, or the word before `_total`. Elsewhere, a word
//! such as `b`, `d` or `us` is probably not a unit (`plan_b_signups_total`), but
//! `promtool` reads it as one wherever it stands after a `_`, so it is refused too and
//! the suggestion joins it to the word before (`planb_signups_total`) instead of
//! converting it. A first word is never read as a unit: `ms_per_request` is fine.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(histogram = "request_latency_ms", help = "Request latency", observe = ret)]
//! fn handle() -> std::time::Duration {
//!     std::time::Duration::from_millis(20)
//! }
//! # fn main() {}
//! ```
//! Right (a `Duration` is observed in seconds; observe seconds for plain numbers too):
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(histogram = "request_latency_seconds", help = "Request latency", observe = ret)]
//! fn handle() -> std::time::Duration {
//!     std::time::Duration::from_millis(20)
//! }
//! # fn main() {}
//! ```
//! A word that only looks like a unit:
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "plan_b_signups_total", help = "Sign-ups to plan B")]
//! fn sign_up() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "planb_signups_total", help = "Sign-ups to plan B")]
//! fn sign_up() {}
//! # fn main() {}
//! ```
//!
//! ## M020: reserved label
//!
//! `le` holds histogram bucket bounds and `quantile` summary quantiles; labels starting
//! with `__` are Prometheus' own; `job` and `instance` are set by Prometheus when it
//! scrapes; `function`, `module` and `result` are set by this framework itself. (`promtool`
//! checks `le` and `quantile`.) The same names in capitals (`LE`, `Quantile`) are
//! refused too, saying which reserved name they read as: Prometheus tells them apart, a
//! reader of a dashboard does not.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "orders_total", help = "Orders placed", labels(result = status))]
//! fn place_order(status: &str) {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "orders_total", help = "Orders placed", labels(status = status))]
//! fn place_order(status: &str) {}
//! # fn main() {}
//! ```
//!
//! ## M021: duplicate label
//!
//! A metric's labels each have their own name; the error points at the repeat.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "orders_total", help = "Orders placed", labels(plan = plan, plan = tier))]
//! fn place_order(plan: &str, tier: &str) {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "orders_total", help = "Orders placed", labels(plan = plan, tier = tier))]
//! fn place_order(plan: &str, tier: &str) {}
//! # fn main() {}
//! ```
//!
//! ## M030: missing or empty help
//!
//! Prometheus shows the help text as `# HELP` next to the metric; say in a few words
//! what it measures.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "orders_total")]
//! fn place_order() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "orders_total", help = "Orders placed, by plan")]
//! fn place_order() {}
//! # fn main() {}
//! ```
//!
//! ## M040: empty buckets
//!
//! A histogram needs at least one upper bound; Prometheus adds the `+Inf` bucket.
//!
//! ```compile_fail
//! # use monitor_runtime::monitored;
//! #[monitored(buckets = [])]
//! fn checkout() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::monitored;
//! #[monitored(buckets = [0.05])]
//! fn checkout() {}
//! # fn main() {}
//! ```
//!
//! ## M041: bucket not positive and finite
//!
//! Bounds are each greater than zero and finite; `+Inf` is added by Prometheus itself.
//! For `#[monitored]` they are durations in seconds; for a `#[business_metric]`
//! histogram they are in the metric's own unit.
//!
//! ```compile_fail
//! # use monitor_runtime::monitored;
//! #[monitored(buckets = [0, 0.1, 1e400])]
//! fn checkout() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::monitored;
//! #[monitored(buckets = [0.01, 0.1])]
//! fn checkout() {}
//! # fn main() {}
//! ```
//!
//! ## M042: buckets not strictly increasing
//!
//! Each bound is greater than the one before; the error suggests the sorted list
//! without repeats.
//!
//! ```compile_fail
//! # use monitor_runtime::monitored;
//! #[monitored(buckets = [0.1, 1.0, 0.5, 1.0])]
//! fn checkout() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::monitored;
//! #[monitored(buckets = [0.1, 0.5, 1.0])]
//! fn checkout() {}
//! # fn main() {}
//! ```
//!
//! ## M043: buckets not a literal list
//!
//! Buckets are checked while compiling, so they are written out as number literals,
//! not a constant or an expression.
//!
//! ```compile_fail
//! # use monitor_runtime::monitored;
//! const BOUNDS: [f64; 2] = [0.1, 1.0];
//! #[monitored(buckets = BOUNDS)]
//! fn checkout() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::monitored;
//! #[monitored(buckets = [0.1, 1.0])]
//! fn checkout() {}
//! # fn main() {}
//! ```
//!
//! ## M044: histogram without buckets
//!
//! A business histogram without `buckets = [...]` takes the default bounds of
//! durations (those of `#[monitored]`, 100 µs to 10 s), so only one whose name ends
//! in `_seconds` may leave them out. Any other (bytes, euros, items…) gives bounds in
//! its own unit: bounds made for seconds would put nearly every value in the last
//! buckets. Checked for `#[business_metric(histogram = ...)]` and for
//! `business_metrics! { histogram ... }`; the error points at the name.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(histogram = "order_value_euros", help = "Order values", observe = total)]
//! fn place_order(total: f64) {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(histogram = "order_value_euros", help = "Order values", observe = total,
//!                   buckets = [10.0, 50.0, 100.0, 500.0])]
//! fn place_order(total: f64) {}
//! # fn main() {}
//! ```
//!
//! ## M045: native histogram schema
//!
//! `native` takes one argument, `schema`, an integer literal from -4 (a factor of
//! 65 536 between bucket bounds) to 8 (256 buckets per doubling of the value), the
//! schemas Prometheus defines; `native` alone takes schema 3 (8 buckets per doubling,
//! about ±4 % on a quantile). See [`native`](crate::native).
//!
//! ```compile_fail
//! # use monitor_runtime::monitored;
//! #[monitored(native(schema = 12))]
//! fn checkout() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::monitored;
//! #[monitored(native(schema = 3))]
//! fn checkout() {}
//! # fn main() {}
//! ```
//!
//! ## M050: bad duration
//!
//! Durations are a number and a unit, several of them at most: `"500ms"`, `"2s"`,
//! `"1m30s"`, `"1.5s"`. Units: `ns`, `us`, `ms`, `s`, `m` (minutes), `h`, `d`.
//!
//! ```compile_fail
//! # use monitor_runtime::health_check;
//! #[health_check(name = "db", timeout = "500")]
//! fn database() -> bool {
//!     true
//! }
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::health_check;
//! #[health_check(name = "db", timeout = "500ms")]
//! fn database() -> bool {
//!     true
//! }
//! # fn main() {}
//! ```
//!
//! ## M051: zero duration
//!
//! A timeout or interval of zero would never let the work run.
//!
//! ```compile_fail
//! # use monitor_runtime::health_check;
//! #[health_check(name = "db", timeout = "0s")]
//! fn database() -> bool {
//!     true
//! }
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::health_check;
//! #[health_check(name = "db", timeout = "500ms")]
//! fn database() -> bool {
//!     true
//! }
//! # fn main() {}
//! ```
//!
//! ## M052: duration too long
//!
//! Durations are kept in 64-bit nanoseconds, about 584 years at most.
//!
//! ```compile_fail
//! # use monitor_runtime::health_check;
//! #[health_check(name = "db", timeout = "1000years")]
//! fn database() -> bool {
//!     true
//! }
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::health_check;
//! #[health_check(name = "db", timeout = "5s")]
//! fn database() -> bool {
//!     true
//! }
//! # fn main() {}
//! ```
//!
//! ## M060: label from a secret
//!
//! Label values are stored by Prometheus and shown in plain text on every dashboard.
//! A label whose value comes from an argument named like a secret (a word such as
//! `password`, `passwd`, `secret`, `token`, `apikey`, `api_key`, `private_key`,
//! `authorization`, `credential`, `cookie`, in `snake_case` or `camelCase`) is refused;
//! label by a non-secret attribute instead. A label *named* like a secret
//! (`labels(password = plan)`, `labels(api_key)` in `business_metrics!`) is refused by
//! both forms, whatever its value is read from.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "logins_total", help = "Logins", labels(user = api_key))]
//! fn login(plan: &str, api_key: &str) {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "logins_total", help = "Logins", labels(plan = plan))]
//! fn login(plan: &str, api_key: &str) {}
//! # fn main() {}
//! ```
//!
//! ## M070: ratio outside (0, 1)
//!
//! The targets of `#[monitored(objective(...))]` are shares of calls: `success` (calls
//! that succeed) and `latency_share` (calls within the `latency` threshold) are number
//! literals strictly between 0 and 1. 99.9 % is `0.999`; 100 % leaves no error
//! budget, so no burn rate to alert on.
//!
//! ```compile_fail
//! # use monitor_runtime::monitored;
//! #[monitored(objective(success = 99.9))]
//! fn checkout() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::monitored;
//! #[monitored(objective(success = 0.999))]
//! fn checkout() {}
//! # fn main() {}
//! ```
//!
//! ## M071: objective without a target
//!
//! An objective says what to meet: `success = ...`, or `latency = "..."` with the
//! `latency_share = ...` of calls that must meet it, or both. `period = "..."` (30
//! days by default) alone is not an objective. The latency threshold becomes a bucket
//! bound of the function's histogram when it is not one already.
//!
//! ```compile_fail
//! # use monitor_runtime::monitored;
//! #[monitored(objective(latency = "250ms"))]
//! fn search() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::monitored;
//! #[monitored(objective(latency = "250ms", latency_share = 0.99))]
//! fn search() {}
//! # fn main() {}
//! ```
//!
//! ## M072: alert condition that does not fit
//!
//! `alert(...)` of a business metric takes exactly one condition: `rate_above` or
//! `rate_below` (per second, over `over = "5m"`) for a counter, `above` or `below`
//! for a gauge. A counter only grows, so its value says nothing; a gauge has no
//! rate. Histograms are watched by objectives instead.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "logins_total", help = "Logins", alert(above = 5))]
//! fn login() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "logins_total", help = "Logins", alert(rate_above = 5, over = "5m"))]
//! fn login() {}
//! # fn main() {}
//! ```
//!
//! ## M073: bad alert threshold
//!
//! The threshold of an alert condition is a number literal (checked at compile time)
//! and not negative: rates and business values are never below zero.
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "logins_total", help = "Logins", alert(rate_above = -1))]
//! fn login() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "logins_total", help = "Logins", alert(rate_above = 1))]
//! fn login() {}
//! # fn main() {}
//! ```
//!
//! ## M074: unknown severity
//!
//! Alertmanager routes on the `severity` label: `"critical"` pages, `"warning"` (the
//! default) opens a ticket or posts to a chat (see `examples/alertmanager/`).
//!
//! ```compile_fail
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "logins_total", help = "Logins", alert(rate_above = 10, severity = "page"))]
//! fn login() {}
//! # fn main() {}
//! ```
//! Right:
//! ```rust,standalone_crate
//! # use monitor_runtime::business_metric;
//! #[business_metric(counter = "logins_total", help = "Logins", alert(rate_above = 10, severity = "critical"))]
//! fn login() {}
//! # fn main() {}
//! ```
