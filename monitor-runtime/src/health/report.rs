//! Results of a probe or a check, and their JSON form.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::types::{Component, Health, Probe, Status};

/// The result of one registered check, as the endpoints report it.
///
/// ```
/// use monitor_runtime::health::{HealthRegistry, Probe};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let checks = HealthRegistry::new();
/// checks.register_fn("ok", || true).unwrap();
/// let report = checks.check("ok").await.unwrap();
/// assert_eq!((report.name.as_str(), report.probe, report.critical), ("ok", Probe::Readiness, true));
/// assert!(report.last_run.is_some());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CheckReport {
    /// The check's name.
    pub name: String,
    /// Its probe.
    pub probe: Probe,
    /// Whether its failure fails the probe.
    pub critical: bool,
    /// Its latest result.
    pub health: Health,
    /// How long that run took.
    pub duration: Duration,
    /// When that run finished.
    pub last_run: Option<SystemTime>,
}

/// The aggregated result of a probe (or of every check, for `/health`).
///
/// ```
/// use monitor_runtime::health::{HealthRegistry, Probe, Status};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let report = HealthRegistry::new().report(Probe::Liveness).await;
/// assert_eq!(report.status, Status::Healthy); // no liveness check: the process answers
/// assert!(report.checks.is_empty());
/// assert!(report.to_json(true)["checks"].is_object());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct HealthReport {
    /// The probe, or `None` for every check.
    pub probe: Option<Probe>,
    /// The aggregated status.
    pub status: Status,
    /// Why it is not healthy.
    pub reason: Option<String>,
    /// Whether the application considers itself ready.
    pub ready: bool,
    /// Every check that was evaluated.
    pub checks: Vec<CheckReport>,
}

impl HealthReport {
    /// The JSON tree `/health` serves. With `detailed` false (a caller without the
    /// token) only the overall status is included.
    ///
    /// ```
    /// use monitor_runtime::health::HealthRegistry;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let report = HealthRegistry::new().report_all().await;
    /// assert_eq!(report.to_json(false), serde_json::json!({"status": "healthy"}));
    /// # }
    /// ```
    pub fn to_json(&self, detailed: bool) -> Value {
        let mut object = Map::new();
        object.insert("status".into(), json!(self.status.as_str()));
        if !detailed {
            return Value::Object(object);
        }
        if let Some(probe) = self.probe {
            object.insert("probe".into(), json!(probe.as_str()));
        }
        if let Some(reason) = &self.reason {
            object.insert("reason".into(), json!(reason));
        }
        object.insert("ready".into(), json!(self.ready));
        let checks: Map<String, Value> = self
            .checks
            .iter()
            .map(|check| (check.name.clone(), check.to_json(true)))
            .collect();
        object.insert("checks".into(), Value::Object(checks));
        Value::Object(object)
    }
}

impl CheckReport {
    /// The JSON of this check: status, probe, critical, reason, details, duration,
    /// last run, and for a composite its parts under `checks`. With `detailed` false
    /// only the status.
    ///
    /// ```
    /// use monitor_runtime::health::HealthRegistry;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let checks = HealthRegistry::new();
    /// checks.register_fn("down", || false).unwrap();
    /// let json = checks.check("down").await.unwrap().to_json(true);
    /// assert_eq!(json["status"], "unhealthy");
    /// assert_eq!(json["reason"], "check returned false");
    /// # }
    /// ```
    pub fn to_json(&self, detailed: bool) -> Value {
        let mut object = Map::new();
        object.insert("status".into(), json!(self.health.status().as_str()));
        if !detailed {
            return Value::Object(object);
        }
        object.insert("probe".into(), json!(self.probe.as_str()));
        object.insert("critical".into(), json!(self.critical));
        object.insert(
            "duration_seconds".into(),
            json!(self.duration.as_secs_f64()),
        );
        if let Some(last_run) = self.last_run {
            object.insert("last_run".into(), json!(rfc3339(last_run)));
        }
        health_fields(&mut object, &self.health);
        Value::Object(object)
    }
}

fn health_fields(object: &mut Map<String, Value>, health: &Health) {
    if let Some(reason) = health.reason() {
        object.insert("reason".into(), json!(reason));
    }
    if !health.details().is_empty() {
        object.insert("details".into(), json!(health.details()));
    }
    if !health.components().is_empty() {
        let parts: Map<String, Value> = health
            .components()
            .iter()
            .map(|component| (component.name.clone(), component_json(component)))
            .collect();
        object.insert("checks".into(), Value::Object(parts));
    }
}

fn component_json(component: &Component) -> Value {
    let mut object = Map::new();
    object.insert("status".into(), json!(component.health.status().as_str()));
    object.insert("critical".into(), json!(component.critical));
    object.insert(
        "duration_seconds".into(),
        json!(component.duration.as_secs_f64()),
    );
    health_fields(&mut object, &component.health);
    Value::Object(object)
}

/// `2026-11-23T23:10:00.123Z`.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since.as_secs();
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_timestamps() {
        let time = UNIX_EPOCH + Duration::from_millis(1_795_993_800_123);
        assert_eq!(rfc3339(time), "2026-11-29T23:10:00.123Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00.000Z");
    }
}
