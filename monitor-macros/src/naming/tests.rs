//! Unit tests of the rules and of the suggestions.

use proc_macro2::Span;
use syn::LitStr;

use super::rules::{self, Code, Finding};
use super::vocabulary::MetricKind::{self, Counter, Gauge, Histogram};
use crate::support::Ctxt;

fn codes(findings: &[Finding]) -> Vec<Code> {
    findings.iter().map(|finding| finding.code).collect()
}

fn metric(name: &str, kind: MetricKind) -> Vec<Code> {
    codes(&rules::metric_name(name, kind))
}

fn label(name: &str) -> Vec<Code> {
    codes(&rules::label_name(name))
}

fn help(name: &str, kind: MetricKind) -> Option<String> {
    rules::metric_name(name, kind)
        .first()
        .and_then(|finding| finding.help.clone())
}

#[test]
fn accepts_names_at_the_edges_of_each_rule() {
    for (name, kind) in [
        ("a", Gauge),
        ("x1", Gauge),
        ("_private", Gauge),
        ("a_total", Counter),
        ("http_requests_total", Counter),
        ("request_duration_seconds_total", Counter),
        ("request_duration_seconds", Histogram),
        ("queue_length", Gauge),
        ("memory_bytes", Gauge),
        ("cache_hit_ratio", Gauge),
        ("count_total", Counter),
        ("counter", Gauge),
        ("total_memory_bytes", Gauge),
        ("http_2xx_responses_total", Counter),
        ("request_count_total", Counter),
        ("s_values", Gauge),
        ("ms", Gauge),
        ("temperature_celsius", Gauge),
        ("build_version", Gauge),
        ("processed_jobs_total", Counter),
        ("monitors_active", Gauge),
        ("http_requests_served_total", Counter),
        ("items_processed_total", Counter),
    ] {
        assert_eq!(metric(name, kind), [], "{name} as {kind:?}");
    }
}

/// The metrics the framework itself exposes follow the rules it enforces, and are
/// reserved: a user's metric of the same name is refused (M007) for that alone.
#[test]
fn the_framework_names_pass_and_are_reserved() {
    for (name, kind) in [
        ("function_calls_total", Counter),
        ("function_calls_cancelled_total", Counter),
        ("function_calls_duration_seconds", Histogram),
        ("function_calls_concurrent", Gauge),
        ("health_check_status", Gauge),
        ("health_check_duration_seconds", Histogram),
        ("health_check_failures_total", Counter),
        ("monitor_label_overflow_total", Counter),
        ("monitor_business_invalid_values_total", Counter),
        ("monitor_exposition_errors_total", Counter),
        ("monitor_remote_write_samples_sent_total", Counter),
        ("monitor_remote_write_buffered_samples", Gauge),
        ("monitor_otlp_points_sent_total", Counter),
        ("monitor_otlp_points_dropped_total", Counter),
        ("monitor_otlp_points_rejected_total", Counter),
        ("monitor_otlp_retries_total", Counter),
        ("monitor_otlp_buffered_points", Gauge),
        ("process_cpu_seconds_total", Counter),
        ("process_start_time_seconds", Gauge),
        ("process_resident_memory_bytes", Gauge),
        ("http_server_request_duration_seconds", Histogram),
        ("http_server_active_requests", Gauge),
        ("http_server_request_body_size_bytes", Histogram),
        ("http_client_request_duration_seconds", Histogram),
        ("system_memory_used_bytes", Gauge),
        ("system_network_received_bytes_total", Counter),
        ("scrape_duration_seconds", Gauge),
        ("up", Gauge),
    ] {
        assert_eq!(metric(name, kind), [Code::M007], "{name}");
    }
    // Names that are not snake_case are reserved too, with their other findings.
    assert_eq!(metric("ALERTS", Gauge), [Code::M006, Code::M007]);
    assert_eq!(metric("ALERTS_FOR_STATE", Gauge), [Code::M006, Code::M007]);
    assert_eq!(metric("build_info", Gauge), [Code::M012, Code::M007]);
    assert_eq!(metric("target_info", Gauge), [Code::M012, Code::M007]);
    assert_eq!(metric("Process_Open_Fds", Gauge), [Code::M006, Code::M007]);
}

#[test]
fn reserved_names_suggest_a_family_of_the_users() {
    let findings = rules::metric_name("process_cpu_seconds_total", Counter);
    assert_eq!(
        findings[0].render(),
        "metric name `process_cpu_seconds_total` is reserved: the process collector exposes \
         `process_cpu_seconds_total`, `process_resident_memory_bytes`, … (the Prometheus client \
         convention); name your metric after your service or domain [M007]\n\
         = help: use `app_process_cpu_seconds_total`"
    );
    assert_eq!(
        help("health_check_status", Gauge).as_deref(),
        Some("use `app_health_check_status`")
    );
    assert_eq!(
        help("function_calls_ms", Histogram).as_deref(),
        Some("use `app_function_calls_seconds`")
    );
    // Only whole words of the prefix count.
    assert_eq!(metric("processes_running", Gauge), []);
    assert_eq!(metric("alerts_sent_total", Counter), []);
}

/// `promtool` reads `orders_total_` as a counter without the `_total` suffix.
#[test]
fn a_trailing_underscore_is_not_a_suffix() {
    assert_eq!(metric("orders_total_", Counter), [Code::M010]);
    let findings = rules::metric_name("orders_total_", Counter);
    assert_eq!(
        findings[0].render(),
        "counter `orders_total_` ends in `_`, not in `_total`: Prometheus counters end in \
         `_total` [M010]\n= help: use `orders_total`"
    );
    assert_eq!(metric("orders_", Counter), [Code::M010]);
}

#[test]
fn invalid_names_report_only_the_structural_rules() {
    assert_eq!(metric("login-attempts", Counter), [Code::M001]);
    assert_eq!(metric("", Counter), [Code::M002]);
    assert_eq!(metric("5xx_errors_total", Counter), [Code::M003]);
    assert_eq!(metric("job:requests:rate5m", Gauge), [Code::M004]);
    assert_eq!(metric("__internal_total", Counter), [Code::M005]);
    assert_eq!(metric("9 lives", Gauge), [Code::M001, Code::M003]);
    assert_eq!(metric("__a:b", Gauge), [Code::M004, Code::M005]);
    assert_eq!(metric("café_visits_total", Counter), [Code::M001]);
}

#[test]
fn lint_rules_each_have_their_code() {
    assert_eq!(
        metric("requestCount", Counter),
        [Code::M006, Code::M010, Code::M012]
    );
    assert_eq!(metric("HTTP_REQUESTS_TOTAL", Counter), [Code::M006]);
    assert_eq!(metric("login_attempts", Counter), [Code::M010]);
    assert_eq!(metric("queue_length_total", Gauge), [Code::M011]);
    assert_eq!(metric("latency_seconds_total", Histogram), [Code::M011]);
    for suffix in ["count", "sum", "bucket", "created", "info"] {
        assert_eq!(metric(&format!("jobs_{suffix}"), Gauge), [Code::M012]);
    }
    assert_eq!(metric("jobs_count", Counter), [Code::M010, Code::M012]);
    for word in ["counter", "gauge", "histogram", "summary", "untyped"] {
        assert_eq!(metric(&format!("jobs_{word}_value"), Gauge), [Code::M013]);
    }
    assert_eq!(
        metric("requests_counter", Counter),
        [Code::M010, Code::M013]
    );
    for unit in [
        "milliseconds",
        "microseconds",
        "nanoseconds",
        "minutes",
        "hours",
        "days",
        "kilobytes",
        "megabytes",
        "bits",
        "percent",
        "percentage",
        "kilograms",
        "fahrenheit",
    ] {
        assert_eq!(
            metric(&format!("value_{unit}"), Gauge),
            [Code::M014],
            "{unit}"
        );
    }
    for unit in [
        "ms", "us", "ns", "s", "sec", "mins", "h", "d", "m", "b", "kb", "mb", "gb", "kib", "pct",
    ] {
        assert_eq!(
            metric(&format!("value_{unit}"), Gauge),
            [Code::M015],
            "{unit}"
        );
    }
    assert_eq!(metric("request_latency_ms_total", Counter), [Code::M015]);
    // `min` as the last word usually means "minimum".
    assert_eq!(metric("temperature_celsius_min", Gauge), []);
}

#[test]
fn every_finding_of_a_bad_name_is_reported() {
    assert_eq!(
        metric("requestLatencyMsCounter", Counter),
        [Code::M006, Code::M010, Code::M013, Code::M015]
    );
}

#[test]
fn messages_name_the_rule_and_the_fix() {
    let findings = rules::metric_name("login-attempts", Counter);
    assert_eq!(
        findings[0].render(),
        "metric name `login-attempts` is not a valid Prometheus name: `-` is not allowed [M001]\n\
         = help: use `login_attempts_total`"
    );
    let findings = rules::metric_name("request_latency_ms", Histogram);
    assert_eq!(
        findings[0].render(),
        "metric name `request_latency_ms` uses the abbreviated unit `ms`: spell out the base unit, `seconds` [M015]\n\
         = help: use `request_latency_seconds`\n\
         = note: the values must then be in seconds: divide milliseconds by 1000"
    );
    let findings = rules::metric_name("request_latency_milliseconds", Histogram);
    assert_eq!(
        findings[0].note.as_deref(),
        Some("the values must then be in seconds: divide milliseconds by 1000")
    );
    let findings = rules::metric_name("payload_kibibytes", Gauge);
    assert_eq!(
        findings[0].note.as_deref(),
        Some("the values must then be in bytes: multiply kibibytes by 1024")
    );
    let findings = rules::metric_name("cpu_usage_percent", Gauge);
    assert_eq!(
        findings[0].note.as_deref(),
        Some("the values must then be a ratio between 0 and 1 (50% is 0.5)")
    );
    let findings = rules::metric_name("a b\tc", Gauge);
    assert_eq!(
        findings[0].message,
        "metric name `a b\tc` is not a valid Prometheus name: ` ` (space) and `\\t` are not allowed"
    );
}

#[test]
fn suggestions_fix_every_rule_at_once() {
    for (name, kind, expected) in [
        ("login-attempts", Counter, "login_attempts_total"),
        ("login_attempts", Counter, "login_attempts_total"),
        ("request_latency_ms", Histogram, "request_latency_seconds"),
        (
            "request_latency_milliseconds",
            Histogram,
            "request_latency_seconds",
        ),
        ("requestCount", Counter, "request_count_total"),
        ("HTTPRequestsTotal", Counter, "http_requests_total"),
        ("payload_kb", Gauge, "payload_bytes"),
        ("payload_kilobytes", Gauge, "payload_bytes"),
        ("uptime_minutes", Gauge, "uptime_seconds"),
        ("cpu_usage_percent", Gauge, "cpu_usage_ratio"),
        ("queue_length_total", Gauge, "queue_length"),
        ("requests_counter", Counter, "requests_total"),
        ("latency_histogram_seconds", Histogram, "latency_seconds"),
        ("jobs_count", Gauge, "jobs"),
        ("jobs_sum_total", Gauge, "jobs"),
        ("5xx_errors_total", Counter, "errors_5xx_total"),
        ("job:requests:rate5m", Gauge, "job_requests_rate5m"),
        ("__internal_total", Counter, "internal_total"),
        (
            "request_latency_ms_total",
            Counter,
            "request_latency_seconds_total",
        ),
        ("timeout_seconds_ms", Gauge, "timeout_seconds"),
        (
            "requestLatencyMsCounter",
            Counter,
            "request_latency_seconds_total",
        ),
        ("café visits", Counter, "cafe_visits_total"),
        ("Größe_bytes", Gauge, "grosse_bytes"),
    ] {
        assert_eq!(
            rules::suggested_metric_name(name, kind).as_deref(),
            Some(expected),
            "{name} as {kind:?}"
        );
        assert_eq!(help(name, kind), Some(format!("use `{expected}`")));
    }
}

#[test]
fn no_suggestion_without_an_obvious_fix() {
    assert_eq!(rules::suggested_metric_name("", Counter), None);
    assert_eq!(rules::suggested_metric_name("404", Gauge), None);
    // Every word starts with a digit: no rotation puts a letter first.
    assert_eq!(
        rules::suggested_metric_name("5xx_5xxus_total", Counter),
        None
    );
    assert_eq!(
        rules::suggested_metric_name("5xx_4xx_errors_total", Counter).as_deref(),
        Some("errors_5xx_4xx_total")
    );
    assert_eq!(rules::suggested_metric_name("---", Gauge), None);
    // `m` is minutes or meters.
    assert_eq!(rules::suggested_metric_name("distance_m", Gauge), None);
    assert_eq!(help("distance_m", Gauge), None);
}

#[test]
fn label_rules() {
    for name in ["plan", "a", "x1", "_shard", "http_method", "status_code"] {
        assert_eq!(label(name), [], "{name}");
    }
    assert_eq!(label(""), [Code::M002]);
    assert_eq!(label("user-id"), [Code::M001]);
    assert_eq!(label("a:b"), [Code::M001]);
    assert_eq!(label("2fa"), [Code::M003]);
    assert_eq!(label("userId"), [Code::M006]);
    for reserved in [
        "le", "quantile", "function", "module", "result", "job", "instance", "__name__", "__x",
    ] {
        assert_eq!(label(reserved), [Code::M020], "{reserved}");
    }
    let findings = rules::label_name("userId");
    assert_eq!(findings[0].help.as_deref(), Some("use `user_id`"));
    assert_eq!(
        rules::suggested_label_name("user-id").as_deref(),
        Some("user_id")
    );
    assert_eq!(
        rules::suggested_label_name("__tenant").as_deref(),
        Some("tenant")
    );
    assert_eq!(rules::suggested_label_name("le"), None);
    assert_eq!(rules::suggested_label_name("plan"), None);
}

/// A reserved label in capitals is still read as the reserved one.
#[test]
fn reserved_labels_in_capitals_say_the_lowercase_form_is_reserved() {
    assert_eq!(label("LE"), [Code::M020, Code::M006]);
    assert_eq!(label("Quantile"), [Code::M020, Code::M006]);
    let findings = rules::label_name("LE");
    assert_eq!(
        findings[0].render(),
        "label name `LE` is `le` in capitals, and `le` is reserved: Prometheus uses it for \
         histogram bucket bounds; choose another name [M020]"
    );
    let findings = rules::label_name("Result");
    assert_eq!(
        findings[0].help.as_deref(),
        Some("e.g. `status`, after what the values are")
    );
    assert_eq!(label("Plan"), [Code::M006]);
}

#[test]
fn quoted_label_names_say_to_write_an_identifier() {
    assert_eq!(
        rules::quoted_label_name("user-id").render(),
        "label name `\"user-id\"` is a string: label names are written as identifiers, \
         `labels(name = value)` [M001]\n= help: use `user_id`, without quotes"
    );
    assert_eq!(
        rules::quoted_label_name("plan").help.as_deref(),
        Some("use `plan`, without quotes")
    );
    assert_eq!(rules::quoted_label_name("le").help, None);
}

#[test]
fn labels_named_like_secrets() {
    for name in [
        "password",
        "api_key",
        "auth_token",
        "apiKey",
        "client_secret",
    ] {
        assert_eq!(
            rules::label_named_secret(name).map(|finding| finding.code),
            Some(Code::M060),
            "{name}"
        );
    }
    for name in ["plan", "region", "keyboard", "pinned"] {
        assert_eq!(rules::label_named_secret(name), None, "{name}");
    }
    assert_eq!(
        rules::label_named_secret("api_key").unwrap().render(),
        "label `api_key` is named like an api key: label values are stored and shown in plain \
         text by Prometheus and every dashboard [M060]\n\
         = help: name the label after a non-secret attribute (a plan, a region, a status)"
    );
}

#[test]
fn duplicate_labels_point_at_the_repeat() {
    let found = rules::duplicate_labels(&["plan", "region", "plan", "plan"]);
    let indexes: Vec<usize> = found.iter().map(|(index, _)| *index).collect();
    assert_eq!(indexes, [2, 3]);
    assert!(found.iter().all(|(_, finding)| finding.code == Code::M021));
    assert!(rules::duplicate_labels(&["plan", "region"]).is_empty());
}

#[test]
fn help_text_rules() {
    assert_eq!(rules::help_text("Login attempts"), None);
    assert_eq!(rules::help_text("  \t").map(|f| f.code), Some(Code::M030));
    assert_eq!(rules::missing_help().code, Code::M030);
}

#[test]
fn secret_label_sources() {
    for source in [
        "password",
        "user_password",
        "passwd",
        "secret",
        "client_secret",
        "token",
        "access_token",
        "authToken",
        "api_key",
        "apiKey",
        "APIKey",
        "apikey",
        "authorization",
        "credentials",
        "PrivateKey",
        "session_cookie",
    ] {
        assert!(
            rules::label_source(source).is_some_and(|finding| finding.code == Code::M060),
            "{source}"
        );
    }
    for source in [
        "plan",
        "region",
        "max_tokens",
        "tokenizer",
        "keyboard_layout",
        "key",
        "status",
        "author",
    ] {
        assert_eq!(rules::label_source(source), None, "{source}");
    }
    assert_eq!(rules::secret_word("userApiKey").as_deref(), Some("api_key"));
}

#[test]
fn words_split_snake_and_camel_case() {
    assert_eq!(rules::words("HTTPServerError"), ["http", "server", "error"]);
    assert_eq!(rules::words("requestCount"), ["request", "count"]);
    assert_eq!(rules::words("http2Requests"), ["http2", "requests"]);
    assert_eq!(rules::words("__a__b_"), ["a", "b"]);
}

#[test]
fn durations() {
    use std::time::Duration;
    assert_eq!(rules::duration("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(rules::duration("2s"), Ok(Duration::from_secs(2)));
    assert_eq!(rules::duration("1m30s"), Ok(Duration::from_secs(90)));
    assert_eq!(rules::duration("1h"), Ok(Duration::from_secs(3600)));
    assert_eq!(rules::duration("1ns"), Ok(Duration::from_nanos(1)));
    assert_eq!(rules::duration("1.5s"), Ok(Duration::from_millis(1500)));
    let code = |text: &str| rules::duration(text).unwrap_err().code;
    for bad in ["", "500", "ms", "fast", "5 parsecs", "-1s", "1,5s"] {
        assert_eq!(code(bad), Code::M050, "{bad}");
    }
    assert_eq!(
        rules::duration("500").unwrap_err().render(),
        "`500` is not a duration: the number has no unit [M050]\n= help: write e.g. \"500ms\" or \"500s\""
    );
    assert_eq!(code("0s"), Code::M051);
    assert_eq!(code("0ms"), Code::M051);
    assert_eq!(code("99999999999999999999999s"), Code::M052);
    assert_eq!(code("600years"), Code::M052);
}

#[test]
fn label_values_of_framework_labels() {
    assert_eq!(rules::label_value("checkout", "function"), None);
    assert_eq!(rules::label_value("Cart::add", "function"), None);
    assert_eq!(
        rules::label_value(" ", "function").map(|f| f.code),
        Some(Code::M002)
    );
    assert_eq!(
        rules::label_value("a\nb", "function").map(|f| (f.code, f.help)),
        Some((Code::M001, Some("use `a b`".to_owned())))
    );
}

/// The spanned interface collects every error of an attribute in one `Ctxt`.
#[test]
fn ctxt_interface_collects_every_error() {
    let mut cx = Ctxt::default();
    let span = Span::call_site();
    super::check_metric_name(&mut cx, &LitStr::new("login-attempts", span), Counter);
    super::check_help(&mut cx, None, span);
    super::check_label_set(
        &mut cx,
        &[
            ("plan".to_owned(), quote::quote!(plan)),
            ("le".to_owned(), quote::quote!(le)),
            ("plan".to_owned(), quote::quote!(plan)),
        ],
        &[false, false, false],
    );
    super::check_label_source(&mut cx, "password", span);
    assert_eq!(
        super::parse_duration(&mut cx, &LitStr::new("soon", span)),
        None
    );
    assert_eq!(
        super::parse_duration(&mut cx, &LitStr::new("250ms", span)),
        Some(std::time::Duration::from_millis(250))
    );
    let errors = cx.into_compile_errors().to_string();
    for code in ["M001", "M030", "M020", "M021", "M060", "M050"] {
        assert!(errors.contains(&format!("[{code}]")), "{code} in {errors}");
    }
}

/// The page users read lists every code, with a section, a wrong and a right example.
#[test]
fn the_diagnostics_page_documents_every_code() {
    let page = include_str!("../../../monitor-runtime/src/diagnostics.rs");
    let sections: Vec<&str> = page.split("//! ## ").skip(1).collect();
    for code in Code::ALL {
        let section = sections
            .iter()
            .find(|section| section.starts_with(&format!("{code}:")))
            .unwrap_or_else(|| panic!("no section for {code}"));
        assert!(
            page.contains(&format!("| [{code}](#{}", code.to_string().to_lowercase())),
            "{code} is not in the table"
        );
        assert!(section.contains("Right"), "{code} has no right example");
        assert!(
            section.matches("//! ```").count() >= 4,
            "{code} needs a wrong and a right example"
        );
        // Both examples are doctests: the wrong one must fail to compile.
        assert!(
            section.contains("//! ```compile_fail"),
            "{code} has no `compile_fail` example"
        );
    }
    assert!(!page.contains("```ignore"), "every example is a doctest");
    assert_eq!(sections.len(), Code::ALL.len());
}

/// A word that looks like a unit abbreviation but stands before the unit position is
/// still refused (`promtool` reads `_b_` as bytes anywhere), but it is renamed, not
/// converted: `plan_b` is a plan, not a number of bytes.
#[test]
fn abbreviations_before_the_unit_position_are_renamed() {
    assert_eq!(metric("plan_b_signups_total", Counter), [Code::M015]);
    let findings = rules::metric_name("plan_b_signups_total", Counter);
    assert_eq!(
        findings[0].render(),
        "metric name `plan_b_signups_total` contains the word `b`, which Prometheus linters \
         (`promtool check metrics`) read as an abbreviated unit wherever it stands [M015]\n\
         = help: use `planb_signups_total`\n\
         = note: if `b` is not meant as a unit (bytes), spell it out or join it to the word \
         before; if it is, write the base unit at the end of the name"
    );
    for (name, kind, expected) in [
        ("plan_b_signups_total", Counter, "planb_signups_total"),
        ("tier_d_customers", Gauge, "tierd_customers"),
        ("latency_ms_p99", Gauge, "latencyms_p99"),
        ("plan_b_latency_ms", Histogram, "planb_latency_seconds"),
    ] {
        assert_eq!(
            rules::suggested_metric_name(name, kind).as_deref(),
            Some(expected),
            "{name}"
        );
    }
    // The unit position is the last word, or the one before `_total`.
    let findings = rules::metric_name("plan_b_latency_ms", Histogram);
    assert_eq!(codes(&findings), [Code::M015, Code::M015]);
    assert!(findings[0].message.contains("contains the word `b`"));
    assert!(findings[1].message.contains("abbreviated unit `ms`"));
    assert_eq!(
        findings[1].note.as_deref(),
        Some("the values must then be in seconds: divide milliseconds by 1000")
    );
    // Only the abbreviations `promtool` itself flags are refused there.
    assert_eq!(metric("queue_min_depth", Gauge), []);
    assert_eq!(metric("jobs_pct_done", Gauge), []);
    assert_eq!(metric("latency_mins", Gauge), [Code::M015]);
    assert_eq!(rules::unit_position(&["a", "ms", "total"]), 1);
    assert_eq!(rules::unit_position(&["a", "ms"]), 1);
    assert_eq!(rules::unit_position(&["total"]), 0);
}

/// A leading abbreviation is a word, not a unit, for `promtool` too.
#[test]
fn leading_abbreviations_are_words() {
    assert_eq!(metric("ms_per_request", Gauge), []);
    assert_eq!(metric("ms_per_request_total", Counter), []);
    assert_eq!(metric("b_side_requests_total", Counter), []);
    assert_eq!(metric("s", Gauge), []);
    // A spelled-out non-base unit is one wherever it stands, as `promtool` reads it.
    assert_eq!(metric("minutes_played_total", Counter), [Code::M014]);
    assert_eq!(
        rules::suggested_metric_name("minutes_played_total", Counter).as_deref(),
        Some("seconds_played_total")
    );
}

#[test]
fn reserved_labels_offer_a_name_where_the_meaning_is_clear() {
    let help = |name: &str| rules::label_name(name)[0].help.clone();
    assert_eq!(
        help("result").as_deref(),
        Some("e.g. `status`, after what the values are")
    );
    assert_eq!(
        help("function").as_deref(),
        Some("e.g. `operation`, after what the values are")
    );
    assert_eq!(help("le"), None);
    assert_eq!(help("quantile"), None);
    assert_eq!(help("__x").as_deref(), Some("use `x`"));
}

#[test]
fn secret_messages_read_as_english() {
    let message = |source: &str| rules::label_source(source).map(|finding| finding.message);
    assert!(message("api_key").is_some_and(|m| m.contains("looks like an api key:")));
    assert!(message("auth_token").is_some_and(|m| m.contains("looks like a token:")));
}

#[test]
fn suffix_words_of_camel_case_names_are_named_as_words() {
    let findings = rules::metric_name("requestCount", Gauge);
    let m012 = findings
        .iter()
        .find(|finding| finding.code == Code::M012)
        .expect("M012");
    assert!(
        m012.message
            .starts_with("metric name `requestCount` ends in the word `count`, which reads as the suffix `_count`"),
        "{}",
        m012.message
    );
    let findings = rules::metric_name("jobs_count", Gauge);
    assert!(
        findings[0]
            .message
            .starts_with("metric name `jobs_count` ends in `_count`,")
    );
}

/// Only a histogram of durations in seconds goes without `buckets`; another says in
/// what unit to give them, on its name.
#[test]
fn histograms_without_buckets_are_durations_in_seconds() {
    assert_eq!(
        super::buckets::missing_buckets("delivery_time_seconds"),
        None
    );
    let finding = super::buckets::missing_buckets("order_value_euros").unwrap();
    assert_eq!(finding.code, Code::M044);
    assert_eq!(
        finding.render(),
        "histogram `order_value_euros` has no `buckets`: only a histogram of durations, named \
         `..._seconds`, has default bounds (100 µs to 10 s), which would not fit its values \
         [M044]\n= help: add `buckets = [...]` with bounds in euros, e.g. \
         `buckets = [1.0, 5.0, 10.0, 50.0, 100.0]`"
    );
    let unitless = super::buckets::missing_buckets("x1").unwrap();
    assert!(
        unitless
            .render()
            .contains("with bounds in the metric's unit"),
        "{unitless:?}"
    );

    let span = Span::call_site();
    let mut cx = Ctxt::default();
    super::check_default_buckets(&mut cx, &LitStr::new("payload_size_bytes", span));
    super::check_default_buckets(&mut cx, &LitStr::new("request_duration_seconds", span));
    // A name to rename first (`_ms` to `_seconds`) is left to its own rule.
    super::check_default_buckets(&mut cx, &LitStr::new("request_latency_ms", span));
    let errors = cx.into_compile_errors().to_string();
    assert_eq!(errors.matches("[M044]").count(), 1, "{errors}");
    assert!(errors.contains("bounds in bytes"), "{errors}");
}
