//! The labels of the layer's series: its own, and the constant labels a layer is
//! given, checked.

use crate::core::model::{Labels, Text};

const METHOD_LABEL: &str = "http_request_method";
const ROUTE_LABEL: &str = "http_route";
pub(super) const STATUS_LABEL: &str = "http_response_status_code";

/// The labels of a series: `constant` (checked), the method, and the route if
/// given (the active gauge has none).
pub(super) fn labels(
    constant: &[(Text, Text)],
    method: &'static str,
    route: Option<&'static str>,
) -> Labels {
    let route = route.map(|route| (Text::Borrowed(ROUTE_LABEL), Text::Borrowed(route)));
    Labels::new(
        constant
            .iter()
            .cloned()
            .chain([(Text::Borrowed(METHOD_LABEL), Text::Borrowed(method))])
            .chain(route),
    )
}

/// The constant labels given to a layer, once each (a name given twice takes the
/// later value); none, logged, when a name is not a usable label name (a valid
/// Prometheus label name, not reserved with `__`, nor `le` or a label of the layer).
pub(super) fn checked_const_labels(given: &[(String, String)]) -> Vec<(Text, Text)> {
    let mut labels: Vec<(Text, Text)> = Vec::with_capacity(given.len());
    for (name, value) in given {
        if let Err(reason) = usable_name(name) {
            tracing::error!(
                label = name.as_str(),
                reason,
                "invalid constant label on the HTTP metrics; the constant labels are left out"
            );
            return Vec::new();
        }
        match labels.iter_mut().find(|(known, _)| known == name) {
            Some((_, known)) => *known = Text::Owned(value.clone()),
            None => labels.push((Text::Owned(name.clone()), Text::Owned(value.clone()))),
        }
    }
    labels
}

fn usable_name(name: &str) -> Result<(), &'static str> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        Err("a label name is made of ASCII letters, digits and `_`, and starts with no digit")
    } else if name.starts_with("__") {
        Err("names starting with `__` are reserved")
    } else if [METHOD_LABEL, ROUTE_LABEL, STATUS_LABEL, "le"].contains(&name) {
        Err("the layer sets this label itself")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_labels_are_checked_and_each_given_once() {
        let given = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect()
        };
        let labels =
            checked_const_labels(&given(&[("service", "a"), ("zone", "b"), ("service", "c")]));
        let labels = self::labels(&labels, "GET", Some("/x"));
        assert_eq!(
            labels.iter().collect::<Vec<_>>(),
            [
                ("http_request_method", "GET"),
                ("http_route", "/x"),
                ("service", "c"),
                ("zone", "b")
            ]
        );
        for bad in ["1st", "with-dash", "", "__reserved", "le", "http_route"] {
            assert!(
                checked_const_labels(&given(&[("service", "a"), (bad, "x")])).is_empty(),
                "{bad:?}"
            );
        }
    }
}
