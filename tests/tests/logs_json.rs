//! The JSON log layer: every line parses as JSON, carries the monitored call's span
//! fields (function, module, trace and span ids), and secret-looking fields are
//! redacted, in events and spans alike.

use monitor_runtime::logs::JsonLayer;
use monitor_tests::log_buffer::LogBuffer;

/// What the JSON logs write instead of a secret.
const REDACTED: &str = "[redacted]";
use serde_json::Value;
use tracing_subscriber::layer::SubscriberExt;

#[derive(Debug)]
struct Declined;

impl std::fmt::Display for Declined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("card declined")
    }
}

mod shop {
    #[monitor_runtime::monitored]
    pub fn log_in(user: &str, password: &str) -> bool {
        tracing::info!(user, password, attempt = 1, "logging in");
        let checkout = tracing::info_span!("session", api_key = "k-123", region = "eu");
        checkout.in_scope(|| tracing::warn!(sessionToken = "t-1", "session opened"));
        !password.is_empty()
    }

    #[monitor_runtime::monitored]
    pub fn charge(cents: u64) -> Result<u64, super::Declined> {
        if cents > 1000 {
            return Err(super::Declined);
        }
        Ok(cents)
    }
}

#[test]
fn lines_are_json_with_span_fields_and_secrets_redacted() {
    let buffer = LogBuffer::default();
    let subscriber = tracing_subscriber::registry().with(JsonLayer::new(buffer.clone()));
    tracing::subscriber::with_default(subscriber, || {
        assert!(shop::log_in("ada", "hunter2"));
        tracing::info!(plain = true, "outside any span");
        let _ = shop::charge(5000);
        let call = tracing::info_span!("outer", password = "p");
        call.in_scope(|| tracing::error!(error = %Declined, "failed"));
    });
    let lines = buffer.lines();
    assert_eq!(lines.len(), 4, "{lines:#?}");

    let login = &lines[0];
    assert_eq!(login["message"], "logging in");
    assert_eq!(login["level"], "INFO");
    assert_eq!(login["target"], "logs_json::shop");
    assert_eq!(login["function"], "log_in");
    assert_eq!(login["module"], "logs_json::shop");
    assert_eq!(login["fields"]["user"], "ada");
    assert_eq!(login["fields"]["attempt"], 1);
    assert_eq!(login["fields"]["password"], REDACTED);
    assert!(!login.to_string().contains("hunter2"), "{login}");
    let trace_id = login["trace_id"].as_str().unwrap();
    let span_id = login["span_id"].as_str().unwrap();
    assert_eq!(trace_id.len(), 32);
    assert_eq!(span_id.len(), 16);
    assert!(trace_id.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(login["timestamp"].as_str().unwrap().ends_with('Z'));

    // A span inside the call: same trace, its own span, secrets redacted there too.
    let session = &lines[1];
    assert_eq!(session["function"], "session");
    assert_eq!(session["trace_id"], trace_id);
    assert_ne!(session["span_id"], span_id);
    assert_eq!(session["span"]["api_key"], REDACTED);
    assert_eq!(session["span"]["region"], "eu");
    assert_eq!(session["fields"]["sessionToken"], REDACTED);
    let spans = session["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0]["name"], "log_in");
    assert_eq!(spans[0]["span_id"], span_id);
    assert_eq!(spans[1]["name"], "session");

    // Outside any span: no span fields.
    let outside = &lines[2];
    assert_eq!(outside["fields"]["plain"], true);
    assert!(outside.get("trace_id").is_none());
    assert_eq!(outside["spans"], Value::Array(Vec::new()));

    // Another root span starts another trace.
    let failed = &lines[3];
    assert_ne!(failed["trace_id"], trace_id);
    assert_eq!(failed["span"]["password"], REDACTED);
    assert_eq!(failed["fields"]["error"], "card declined");
}

#[test]
fn the_monitored_calls_result_is_a_span_field() {
    let buffer = LogBuffer::default();
    let subscriber = tracing_subscriber::registry().with(JsonLayer::new(buffer.clone()));
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("request", route = "/charge");
        span.in_scope(|| {
            let _ = shop::charge(5000);
            tracing::info!("charged");
        });
    });
    let lines = buffer.lines();
    let charged = lines.last().unwrap();
    assert_eq!(charged["function"], "request");
    assert_eq!(charged["span"]["route"], "/charge");
}
