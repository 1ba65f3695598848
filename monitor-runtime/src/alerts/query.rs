//! The typed form of every alert condition: rendered as PromQL for Prometheus, and
//! evaluated in the process over the history the embedded evaluator keeps. One
//! definition, two readers, so the rules Prometheus runs and the ones the process
//! runs cannot drift apart.
//!
//! Only the few forms the generator needs exist: sums of rates by labels, gauges,
//! quantiles of histograms, one-to-one arithmetic, comparisons, `and`, `or`.

use std::collections::BTreeMap;
use std::time::Duration;

use super::model::{escape, range};

/// A label set of one result sample (no `__name__`).
pub type Labels = BTreeMap<String, String>;

/// An instant vector: one value per label set.
pub type Vector = BTreeMap<Labels, f64>;

/// One label matcher of a selector.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Matcher {
    /// `name="value"`.
    Eq(String, String),
    /// `name!="value"`.
    Ne(String, String),
    /// `le` equal to a bucket bound, however the bound is written (`1`, `1.0`).
    Bound(f64),
    /// `http_response_status_code` of a server error (`500`, `503`, `5xx`).
    ServerError(String),
}

impl Matcher {
    pub(crate) fn eq(name: &str, value: &str) -> Self {
        Matcher::Eq(name.to_owned(), value.to_owned())
    }

    fn render(&self) -> String {
        match self {
            Matcher::Eq(name, value) => format!("{name}=\"{}\"", escape(value)),
            Matcher::Ne(name, value) => format!("{name}!=\"{}\"", escape(value)),
            // The prometheus crate writes `1`, Prometheus 3 normalises it to `1.0`.
            Matcher::Bound(bound) if bound.fract() == 0.0 => {
                format!("le=~\"{bound}|{bound}\\\\.0\"")
            }
            Matcher::Bound(bound) => format!("le=\"{bound}\""),
            Matcher::ServerError(name) => format!("{name}=~\"5..\""),
        }
    }

    fn matches(&self, labels: &Labels) -> bool {
        let value = |name: &str| labels.get(name).map_or("", String::as_str);
        match self {
            Matcher::Eq(name, expected) => value(name) == expected,
            Matcher::Ne(name, expected) => value(name) != expected,
            Matcher::Bound(bound) => value("le").parse::<f64>().is_ok_and(|le| le == *bound),
            Matcher::ServerError(name) => {
                let code = value(name);
                code.len() == 3 && code.starts_with('5')
            }
        }
    }
}

/// A series selector: a metric name and matchers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Selector {
    pub(crate) metric: String,
    pub(crate) matchers: Vec<Matcher>,
}

impl Selector {
    pub(crate) fn new(metric: &str, matchers: Vec<Matcher>) -> Self {
        Selector {
            metric: metric.to_owned(),
            matchers,
        }
    }

    fn render(&self) -> String {
        if self.matchers.is_empty() {
            return self.metric.clone();
        }
        let matchers: Vec<String> = self.matchers.iter().map(Matcher::render).collect();
        format!("{}{{{}}}", self.metric, matchers.join(","))
    }

    fn matches(&self, name: &str, labels: &Labels) -> bool {
        name == self.metric && self.matchers.iter().all(|matcher| matcher.matches(labels))
    }
}

/// How series are aggregated: not at all, or summed / maxed / minned by labels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Aggregation {
    /// Every series apart, as Prometheus returns them.
    None,
    /// `sum by (labels)`.
    Sum(Vec<String>),
    /// `max by (labels)`.
    Max(Vec<String>),
    /// `min by (labels)`.
    Min(Vec<String>),
}

impl Aggregation {
    pub(crate) fn sum(labels: &[&str]) -> Self {
        Aggregation::Sum(labels.iter().map(|label| (*label).to_owned()).collect())
    }

    fn wrap(&self, inner: String) -> String {
        let (op, labels) = match self {
            Aggregation::None => return inner,
            Aggregation::Sum(labels) => ("sum", labels),
            Aggregation::Max(labels) => ("max", labels),
            Aggregation::Min(labels) => ("min", labels),
        };
        if labels.is_empty() {
            format!("{op}({inner})")
        } else {
            format!("{op} by ({}) ({inner})", labels.join(", "))
        }
    }

    fn apply(&self, vector: Vector) -> Vector {
        type Combine = fn(f64, f64) -> f64;
        let (labels, combine): (&Vec<String>, Combine) = match self {
            Aggregation::None => return vector,
            Aggregation::Sum(labels) => (labels, |a, b| a + b),
            Aggregation::Max(labels) => (labels, f64::max),
            Aggregation::Min(labels) => (labels, f64::min),
        };
        let mut out = Vector::new();
        for (series, value) in vector {
            let key: Labels = labels
                .iter()
                .filter_map(|name| series.get(name).map(|v| (name.clone(), v.clone())))
                .collect();
            out.entry(key)
                .and_modify(|acc| *acc = combine(*acc, value))
                .or_insert(value);
        }
        out
    }
}

/// A query that returns an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Query {
    /// `agg(rate(selector[window]))`, or `increase` when `increase` is set.
    Rate {
        selector: Selector,
        window: Duration,
        aggregation: Aggregation,
        increase: bool,
    },
    /// `agg(selector)`.
    Gauge {
        selector: Selector,
        aggregation: Aggregation,
    },
    /// `histogram_quantile(q, sum by (le, labels) (rate(selector[window])))`, the
    /// selector naming the `_bucket` series.
    Quantile {
        quantile: f64,
        selector: Selector,
        window: Duration,
        by: Vec<String>,
    },
    /// `lhs / rhs`, one-to-one on equal label sets.
    Div(Box<Query>, Box<Query>),
    /// `lhs - rhs`, one-to-one on equal label sets.
    Sub(Box<Query>, Box<Query>),
    /// `lhs / number`.
    DivScalar(Box<Query>, f64),
    /// `(query > 0)`: only the positive samples (an unset limit is 0).
    Positive(Box<Query>),
    /// `(query or vector(0))`: 0 when the query returns nothing.
    OrZero(Box<Query>),
    /// The series a recording rule writes, `record{matchers}`, evaluated in the
    /// process from the rule's own query and labels.
    Recorded {
        record: String,
        matchers: Vec<Matcher>,
        query: Box<Query>,
        labels: Labels,
    },
}

/// How a condition compares a query to a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Comparison {
    Above,
    Below,
    Equal,
}

/// An alert condition: the label sets it returns are the active alerts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Condition {
    /// `query > value`, `query < value`, `query == value`.
    Compare {
        query: Query,
        comparison: Comparison,
        value: f64,
    },
    /// `lhs and rhs`: the samples of `lhs` whose label set `rhs` has too.
    And(Box<Condition>, Box<Condition>),
    /// `a or b or ...`: the samples of each, the first taking precedence.
    Or(Vec<Condition>),
}

/// What the evaluator reads series from: the samples of a name at one instant, and
/// the increase of counters over a window.
pub(crate) trait SeriesSource {
    /// Every series of `selector` now, with its value.
    fn instant(&self, selector: &Selector) -> Vector;
    /// Every series of `selector` with its per-second rate (or increase) over `window`.
    fn rate(&self, selector: &Selector, window: Duration, increase: bool) -> Vector;
}

impl Selector {
    /// Whether the selector takes the series `name` with `labels`.
    pub(crate) fn selects(&self, name: &str, labels: &Labels) -> bool {
        self.matches(name, labels)
    }
}

fn parenthesised(query: &Query) -> String {
    match query {
        Query::Div(..) | Query::Sub(..) | Query::DivScalar(..) => format!("({})", query.render()),
        _ => query.render(),
    }
}

impl Query {
    /// The PromQL text.
    pub(crate) fn render(&self) -> String {
        match self {
            Query::Rate {
                selector,
                window,
                aggregation,
                increase,
            } => {
                let function = if *increase { "increase" } else { "rate" };
                aggregation.wrap(format!(
                    "{function}({}[{}])",
                    selector.render(),
                    range(*window)
                ))
            }
            Query::Gauge {
                selector,
                aggregation,
            } => aggregation.wrap(selector.render()),
            Query::Quantile {
                quantile,
                selector,
                window,
                by,
            } => {
                let mut labels = by.clone();
                labels.push("le".to_owned());
                format!(
                    "histogram_quantile({quantile}, sum by ({}) (rate({}[{}])))",
                    labels.join(", "),
                    selector.render(),
                    range(*window)
                )
            }
            Query::Div(lhs, rhs) => format!("{}\n/\n{}", parenthesised(lhs), parenthesised(rhs)),
            Query::Sub(lhs, rhs) => format!("{}\n-\n{}", parenthesised(lhs), parenthesised(rhs)),
            Query::DivScalar(lhs, number) => format!("{} / {number}", parenthesised(lhs)),
            Query::Positive(query) => format!("({} > 0)", query.render()),
            Query::OrZero(query) => format!("({} or vector(0))", query.render()),
            Query::Recorded {
                record, matchers, ..
            } => Selector::new(record, matchers.clone()).render(),
        }
    }

    /// The longest range the query reads.
    pub(crate) fn longest_window(&self) -> Duration {
        match self {
            Query::Rate { window, .. } | Query::Quantile { window, .. } => *window,
            Query::Gauge { .. } => Duration::ZERO,
            Query::Div(lhs, rhs) | Query::Sub(lhs, rhs) => {
                lhs.longest_window().max(rhs.longest_window())
            }
            Query::DivScalar(query, _)
            | Query::Positive(query)
            | Query::OrZero(query)
            | Query::Recorded { query, .. } => query.longest_window(),
        }
    }

    /// The vector the query returns over `source`.
    pub(crate) fn evaluate(&self, source: &dyn SeriesSource) -> Vector {
        match self {
            Query::Rate {
                selector,
                window,
                aggregation,
                increase,
            } => aggregation.apply(source.rate(selector, *window, *increase)),
            Query::Gauge {
                selector,
                aggregation,
            } => aggregation.apply(source.instant(selector)),
            Query::Quantile {
                quantile,
                selector,
                window,
                by,
            } => {
                let mut groups: BTreeMap<Labels, Vec<(f64, f64)>> = BTreeMap::new();
                for (labels, rate) in source.rate(selector, *window, false) {
                    let Some(le) = labels.get("le").and_then(|le| parse_bound(le)) else {
                        continue;
                    };
                    let key: Labels = by
                        .iter()
                        .filter_map(|name| labels.get(name).map(|v| (name.clone(), v.clone())))
                        .collect();
                    groups.entry(key).or_default().push((le, rate));
                }
                groups
                    .into_iter()
                    .filter_map(|(labels, mut buckets)| {
                        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
                        histogram_quantile(*quantile, &buckets).map(|value| (labels, value))
                    })
                    .collect()
            }
            Query::Div(lhs, rhs) => {
                binary(lhs.evaluate(source), &rhs.evaluate(source), |a, b| a / b)
            }
            Query::Sub(lhs, rhs) => {
                binary(lhs.evaluate(source), &rhs.evaluate(source), |a, b| a - b)
            }
            Query::DivScalar(query, number) => query
                .evaluate(source)
                .into_iter()
                .map(|(labels, value)| (labels, value / number))
                .collect(),
            Query::Positive(query) => query
                .evaluate(source)
                .into_iter()
                .filter(|(_, value)| *value > 0.0)
                .collect(),
            Query::OrZero(query) => {
                let vector = query.evaluate(source);
                if vector.is_empty() {
                    Vector::from([(Labels::new(), 0.0)])
                } else {
                    vector
                }
            }
            Query::Recorded {
                query,
                matchers,
                labels: added,
                ..
            } => query
                .evaluate(source)
                .into_iter()
                .map(|(mut labels, value)| {
                    labels.extend(added.iter().map(|(k, v)| (k.clone(), v.clone())));
                    (labels, value)
                })
                .filter(|(labels, _)| matchers.iter().all(|matcher| matcher.matches(labels)))
                .collect(),
        }
    }
}

/// `+Inf` or a number, as bucket bounds are written.
fn parse_bound(text: &str) -> Option<f64> {
    match text {
        "+Inf" | "Inf" | "inf" => Some(f64::INFINITY),
        _ => text.parse().ok(),
    }
}

/// Prometheus' `histogram_quantile` over cumulative buckets sorted by bound, the
/// last `+Inf`: linear interpolation inside the bucket the rank falls in. `None`
/// (no sample, as Prometheus' `NaN` compares false) with no observation.
fn histogram_quantile(quantile: f64, buckets: &[(f64, f64)]) -> Option<f64> {
    let &(last_bound, total) = buckets.last()?;
    if !last_bound.is_infinite() || total <= 0.0 || buckets.len() < 2 {
        return None;
    }
    let rank = quantile * total;
    let index = buckets
        .iter()
        .position(|(_, count)| *count >= rank)
        .unwrap_or(buckets.len() - 1);
    if index == buckets.len() - 1 {
        return Some(buckets[buckets.len() - 2].0);
    }
    let (upper, count) = buckets[index];
    let (lower, below) = if index == 0 {
        (0.0, 0.0)
    } else {
        buckets[index - 1]
    };
    if index == 0 && upper <= 0.0 {
        return Some(upper);
    }
    let in_bucket = count - below;
    if in_bucket <= 0.0 {
        return Some(upper);
    }
    Some(lower + (upper - lower) * ((rank - below) / in_bucket))
}

fn binary(lhs: Vector, rhs: &Vector, op: fn(f64, f64) -> f64) -> Vector {
    lhs.into_iter()
        .filter_map(|(labels, a)| rhs.get(&labels).map(|b| (labels, op(a, *b))))
        .collect()
}

impl Comparison {
    fn render(self) -> &'static str {
        match self {
            Comparison::Above => ">",
            Comparison::Below => "<",
            Comparison::Equal => "==",
        }
    }

    fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Above => value > threshold,
            Comparison::Below => value < threshold,
            Comparison::Equal => value == threshold,
        }
    }
}

impl Condition {
    pub(crate) fn compare(query: Query, comparison: Comparison, value: f64) -> Self {
        Condition::Compare {
            query,
            comparison,
            value,
        }
    }

    /// The PromQL text of the alert's `expr`.
    pub(crate) fn render(&self) -> String {
        match self {
            Condition::Compare {
                query,
                comparison,
                value,
            } => {
                let text = query.render();
                let separator = if text.contains('\n') { "\n" } else { " " };
                format!("{text}{separator}{} {value}", comparison.render())
            }
            Condition::And(lhs, rhs) => {
                format!("(\n  {}\n  and\n  {}\n)", lhs.render(), rhs.render())
            }
            Condition::Or(conditions) => conditions
                .iter()
                .map(Condition::render)
                .collect::<Vec<_>>()
                .join("\nor\n"),
        }
    }

    /// The longest range the condition reads: the history it needs.
    pub(crate) fn longest_window(&self) -> Duration {
        match self {
            Condition::Compare { query, .. } => query.longest_window(),
            Condition::And(lhs, rhs) => lhs.longest_window().max(rhs.longest_window()),
            Condition::Or(conditions) => conditions
                .iter()
                .map(Condition::longest_window)
                .max()
                .unwrap_or_default(),
        }
    }

    /// The condition reduced to what a history of `retention` covers: the
    /// alternatives of an `or` whose windows are longer are dropped; `None` when
    /// nothing is left.
    pub(crate) fn within(&self, retention: Duration) -> Option<Condition> {
        match self {
            Condition::Or(conditions) => {
                let kept: Vec<Condition> = conditions
                    .iter()
                    .filter_map(|condition| condition.within(retention))
                    .collect();
                match kept.len() {
                    0 => None,
                    1 => kept.into_iter().next(),
                    _ => Some(Condition::Or(kept)),
                }
            }
            other => (other.longest_window() <= retention).then(|| other.clone()),
        }
    }

    /// The active label sets with their values over `source`.
    pub(crate) fn evaluate(&self, source: &dyn SeriesSource) -> Vector {
        match self {
            Condition::Compare {
                query,
                comparison,
                value,
            } => query
                .evaluate(source)
                .into_iter()
                .filter(|(_, measured)| comparison.holds(*measured, *value))
                .collect(),
            Condition::And(lhs, rhs) => {
                let rhs = rhs.evaluate(source);
                lhs.evaluate(source)
                    .into_iter()
                    .filter(|(labels, _)| rhs.contains_key(labels))
                    .collect()
            }
            Condition::Or(conditions) => {
                let mut out = Vector::new();
                for condition in conditions {
                    for (labels, value) in condition.evaluate(source) {
                        out.entry(labels).or_insert(value);
                    }
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_inside_the_bucket() {
        // 100 observations: 50 under 0.1, 40 more under 1, 10 more under +Inf.
        let buckets = [(0.1, 50.0), (1.0, 90.0), (f64::INFINITY, 100.0)];
        let p50 = histogram_quantile(0.5, &buckets).unwrap();
        assert!((p50 - 0.1).abs() < 1e-9, "{p50}");
        let p70 = histogram_quantile(0.7, &buckets).unwrap();
        assert!((p70 - 0.55).abs() < 1e-9, "{p70}");
        // In the +Inf bucket: the largest finite bound.
        assert_eq!(histogram_quantile(0.95, &buckets), Some(1.0));
        assert_eq!(
            histogram_quantile(0.5, &[(1.0, 0.0), (f64::INFINITY, 0.0)]),
            None
        );
    }

    #[test]
    fn bound_matcher_takes_both_spellings() {
        let one = Matcher::Bound(1.0);
        assert!(one.matches(&Labels::from([("le".to_owned(), "1".to_owned())])));
        assert!(one.matches(&Labels::from([("le".to_owned(), "1.0".to_owned())])));
        assert!(!one.matches(&Labels::from([("le".to_owned(), "10".to_owned())])));
        assert_eq!(one.render(), "le=~\"1|1\\\\.0\"");
    }
}
