//! Reading the text exposition back: sample lines and `# TYPE`/`# HELP` comments.
//!
//! The figures are read from the text exposition of the gathered families rather
//! than from the metric protos: the accessors of `prometheus::proto` differ with the
//! crate's `protobuf` feature (which an application's own `prometheus` dependency may
//! turn on), and the text format is the same either way.

/// One sample line of the text exposition: `name{key="value",...} value`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sample<'a> {
    pub(crate) name: &'a str,
    pub(crate) labels: Vec<(&'a str, String)>,
    pub(crate) value: f64,
}

impl<'a> Sample<'a> {
    /// Parses a sample line; comments, blank and malformed lines give `None`.
    pub(crate) fn parse(line: &'a str) -> Option<Self> {
        if line.starts_with('#') || line.is_empty() {
            return None;
        }
        let name_end = line.find(['{', ' '])?;
        let name = &line[..name_end];
        let mut rest = &line[name_end..];
        let mut labels = Vec::new();
        if let Some(mut inner) = rest.strip_prefix('{') {
            loop {
                inner = inner.trim_start_matches(',');
                if let Some(after) = inner.strip_prefix('}') {
                    rest = after;
                    break;
                }
                let (key, after_key) = inner.split_once("=\"")?;
                let mut value = String::new();
                let mut chars = after_key.char_indices();
                let end = loop {
                    match chars.next()? {
                        (index, '"') => break index,
                        (_, '\\') => match chars.next()?.1 {
                            'n' => value.push('\n'),
                            other => value.push(other),
                        },
                        (_, other) => value.push(other),
                    }
                };
                labels.push((key, value));
                inner = &after_key[end + 1..];
            }
        }
        let value = parse_value(rest.split_whitespace().next()?)?;
        Some(Self {
            name,
            labels,
            value,
        })
    }

    /// The value of label `key`.
    pub(crate) fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, value)| value.as_str())
    }
}

/// A sample value or an `le` bound: a number, `+Inf`, `-Inf` or `NaN`.
pub(crate) fn parse_value(text: &str) -> Option<f64> {
    match text {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        other => other.parse().ok(),
    }
}

/// `# TYPE name kind` → `(name, kind)`.
pub(crate) fn type_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("# TYPE ")?;
    rest.split_once(' ')
}

/// `# HELP name text` → `(name, text)` (escapes left as they are).
pub(crate) fn help_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("# HELP ")?;
    rest.split_once(' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_text_exposition() {
        let sample = Sample::parse(r#"x_bucket{a="q\"uo\\te",le="0.5"} 3"#).unwrap();
        assert_eq!(sample.name, "x_bucket");
        assert_eq!(sample.label("a"), Some("q\"uo\\te"));
        assert_eq!(sample.label("le"), Some("0.5"));
        assert_eq!(sample.value, 3.0);
        assert_eq!(Sample::parse("plain 1.5").unwrap().value, 1.5);
        assert_eq!(
            Sample::parse(r#"x_bucket{le="+Inf"} 2"#)
                .unwrap()
                .label("le"),
            Some("+Inf")
        );
        assert!(Sample::parse("# HELP x y").is_none());
        assert!(Sample::parse("broken{a=\"b").is_none());
        assert_eq!(type_line("# TYPE x counter"), Some(("x", "counter")));
        assert_eq!(help_line("# HELP x Some text."), Some(("x", "Some text.")));
    }
}
