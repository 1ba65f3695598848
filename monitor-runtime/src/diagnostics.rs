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
//! | [M050](#m050-bad-duration) | durations such as `"500ms"` |
//! | [M051](#m051-zero-duration) | durations longer than zero |
//! | [M052](#m052-duration-too-long) | durations that fit in 64-bit nanoseconds |
//! | [M060](#m060-label-from-a-secret) | no label values from passwords, tokens, keys |
//!
//! ## M001: invalid character
//!
//! Metric and label names match `[a-zA-Z_][a-zA-Z0-9_]*`: no `-`, `.`, spaces or
//! non-ASCII letters. The help line gives the name with every such character turned
//! into `_`. Label *values* may hold any text, but the `function` label value set by
//! `#[monitored(name = "...")]` may not hold control characters such as line breaks.
//!
//! ```ignore
//! #[business_metric(counter = "login-attempts", help = "Login attempts")]
//! ```
//! ```compile_fail
//! # use monitor_runtime::monitored;
//! #[monitored(name = "checkout\nstep")]
//! fn checkout() {}
//! # fn main() {}
//! ```
//! Right:
//! ```ignore
//! #[business_metric(counter = "login_attempts_total", help = "Login attempts")]
//! ```
//! ```
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
//! ```ignore
//! #[business_metric(gauge = "", help = "Jobs waiting")]
//! ```
//! ```compile_fail
//! # use monitor_runtime::monitored;
//! #[monitored(name = "")]
//! fn checkout() {}
//! # fn main() {}
//! ```
//! Right:
//! ```ignore
//! #[business_metric(gauge = "queue_length", help = "Jobs waiting")]
//! ```
//! ```
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
//! ```ignore
//! #[business_metric(counter = "5xx_errors_total", help = "Server errors")]
//! ```
//! Right:
//! ```ignore
//! #[business_metric(counter = "errors_5xx_total", help = "Server errors")]
//! ```
//!
//! ## M004: colon
//!
//! Colons are valid in Prometheus metric names but reserved for the results of
//! recording rules (`job:requests:rate5m`); instrumented code does not use them.
//!
//! ```ignore
//! #[business_metric(counter = "shop:orders_total", help = "Orders placed")]
//! ```
//! Right:
//! ```ignore
//! #[business_metric(counter = "shop_orders_total", help = "Orders placed")]
//! ```
//!
//! ## M005: leading double underscore
//!
//! Names beginning with `__` are reserved for Prometheus' internal use. (Stricter than
//! `promtool`, which does not check it.)
//!
//! ```ignore
//! #[business_metric(counter = "__orders_total", help = "Orders placed")]
//! ```
//! Right:
//! ```ignore
//! #[business_metric(counter = "orders_total", help = "Orders placed")]
//! ```
//!
//! ## M006: not snake_case
//!
//! Metric and label names are lowercase words joined by `_`: `requestCount` becomes
//! `request_count_total` for a counter, a label `userId` becomes `user_id`. (`promtool`
//! flags `camelCase`; this rule also flags names in capitals.)
//!
//! ```ignore
//! #[business_metric(counter = "requestCount", help = "Requests served")]
//! ```
//! Right:
//! ```ignore
//! #[business_metric(counter = "request_count_total", help = "Requests served")]
//! ```
//!
//! ## M010: counter without `_total`
//!
//! Counters end in `_total`, so that a reader knows to take a `rate()` of them. A unit
//! goes before it: `request_duration_seconds_total`.
//!
//! ```ignore
//! #[business_metric(counter = "login_attempts", help = "Login attempts")]
//! ```
//! Right:
//! ```ignore
//! #[business_metric(counter = "login_attempts_total", help = "Login attempts")]
//! ```
//!
//! ## M011: `_total` on a non-counter
//!
//! Gauges and histograms do not end in `_total`: it promises a counter.
//!
//! ```ignore
//! #[business_metric(gauge = "queue_length_total", help = "Jobs waiting")]
//! ```
//! Right:
//! ```ignore
//! #[business_metric(gauge = "queue_length", help = "Jobs waiting")]
//! ```
//!
//! ## M012: reserved suffix
//!
//! A histogram `x` exposes `x_bucket`, `x_sum` and `x_count`; OpenMetrics adds
//! `x_created`; `_info` marks info metrics. A metric of your own with such a suffix
//! would be mistaken for one of those series. (`promtool` checks `_count`, `_sum` and
//! `_bucket`; this rule also covers `_created` and `_info`.)
//!
//! ```ignore
//! #[business_metric(gauge = "jobs_count", help = "Jobs waiting")]
//! ```
//! Right:
//! ```ignore
//! #[business_metric(gauge = "jobs", help = "Jobs waiting")]
//! ```
//!
//! ## M013: type in the name
//!
//! `# TYPE` already says whether a metric is a counter, gauge, histogram or summary;
//! the name says what it measures.
//!
//! ```ignore
//! #[business_metric(counter = "requests_counter", help = "Requests served")]
//! ```
//! Right:
//! ```ignore
//! #[business_metric(counter = "requests_total", help = "Requests served")]
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
//! ```ignore
//! #[business_metric(histogram = "payment_latency_milliseconds", help = "Payment latency")]
//! ```
//! Right:
//! ```ignore
//! #[business_metric(histogram = "payment_latency_seconds", help = "Payment latency")]
//! ```
//!
//! ## M015: abbreviated unit
//!
//! Units are spelled out: `_ms`, `_us`, `_s`, `_sec`, `_min`, `_h`, `_d` become
//! `_seconds`; `_b`, `_kb`, `_mb`, `_gb` become `_bytes`; `_pct` becomes `_ratio`. `_m`
//! could be minutes or meters, so the error names both and suggests neither.
//!
//! ```ignore
//! #[business_metric(histogram = "request_latency_ms", help = "Request latency")]
//! ```
//! Right (and observe seconds, not milliseconds):
//! ```ignore
//! #[business_metric(histogram = "request_latency_seconds", help = "Request latency")]
//! ```
//!
//! ## M020: reserved label
//!
//! `le` holds histogram bucket bounds and `quantile` summary quantiles; labels starting
//! with `__` are Prometheus' own; `job` and `instance` are set by Prometheus when it
//! scrapes; `function`, `module` and `result` are set by this framework itself. (`promtool`
//! checks `le` and `quantile`.)
//!
//! ```ignore
//! #[business_metric(counter = "orders_total", help = "Orders placed", labels(result = status))]
//! ```
//! Right:
//! ```ignore
//! #[business_metric(counter = "orders_total", help = "Orders placed", labels(status = status))]
//! ```
//!
//! ## M021: duplicate label
//!
//! A metric's labels each have their own name; the error points at the repeat.
//!
//! ```ignore
//! #[business_metric(counter = "orders_total", help = "Orders placed", labels(plan = plan, plan = tier))]
//! ```
//! Right:
//! ```ignore
//! #[business_metric(counter = "orders_total", help = "Orders placed", labels(plan = plan, tier = tier))]
//! ```
//!
//! ## M030: missing or empty help
//!
//! Prometheus shows the help text as `# HELP` next to the metric; say in a few words
//! what it measures.
//!
//! ```ignore
//! #[business_metric(counter = "orders_total")]
//! ```
//! Right:
//! ```ignore
//! #[business_metric(counter = "orders_total", help = "Orders placed, by plan")]
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
//! ```
//! # use monitor_runtime::monitored;
//! #[monitored(buckets = [0.05])]
//! fn checkout() {}
//! # fn main() {}
//! ```
//!
//! ## M041: bucket not positive and finite
//!
//! Bounds are durations in seconds, each greater than zero and finite; `+Inf` is
//! added by Prometheus itself.
//!
//! ```compile_fail
//! # use monitor_runtime::monitored;
//! #[monitored(buckets = [0, 0.1, 1e400])]
//! fn checkout() {}
//! # fn main() {}
//! ```
//! Right:
//! ```
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
//! ```
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
//! ```
//! # use monitor_runtime::monitored;
//! #[monitored(buckets = [0.1, 1.0])]
//! fn checkout() {}
//! # fn main() {}
//! ```
//!
//! ## M050: bad duration
//!
//! Durations are a number and a unit, several of them at most: `"500ms"`, `"2s"`,
//! `"1m30s"`, `"1.5s"`. Units: `ns`, `us`, `ms`, `s`, `m` (minutes), `h`, `d`.
//!
//! ```ignore
//! #[health_check(name = "db", timeout = "500")]
//! ```
//! Right:
//! ```ignore
//! #[health_check(name = "db", timeout = "500ms")]
//! ```
//!
//! ## M051: zero duration
//!
//! A timeout or interval of zero would never let the work run.
//!
//! ```ignore
//! #[health_check(name = "db", timeout = "0s")]
//! ```
//! Right:
//! ```ignore
//! #[health_check(name = "db", timeout = "500ms")]
//! ```
//!
//! ## M052: duration too long
//!
//! Durations are kept in 64-bit nanoseconds, about 584 years at most.
//!
//! ```ignore
//! #[health_check(name = "db", timeout = "1000years")]
//! ```
//! Right:
//! ```ignore
//! #[health_check(name = "db", timeout = "5s")]
//! ```
//!
//! ## M060: label from a secret
//!
//! Label values are stored by Prometheus and shown in plain text on every dashboard.
//! A label whose value comes from an argument named like a secret (a word such as
//! `password`, `passwd`, `secret`, `token`, `apikey`, `api_key`, `private_key`,
//! `authorization`, `credential`, `cookie`, in `snake_case` or `camelCase`) is refused;
//! label by a non-secret attribute instead.
//!
//! ```ignore
//! #[business_metric(counter = "logins_total", help = "Logins", labels(user = api_key))]
//! fn login(plan: &str, api_key: &str) {}
//! ```
//! Right:
//! ```ignore
//! #[business_metric(counter = "logins_total", help = "Logins", labels(plan = plan))]
//! fn login(plan: &str, api_key: &str) {}
//! ```
