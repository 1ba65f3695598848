//! Corrected names offered as `= help: use ...`: every rule's fix applied at once.
//! The rules keep a suggestion only when it passes them all
//! (`rules::suggested_metric_name`, `rules::suggested_label_name`).

use super::secret_words::words;
use super::vocabulary::{self, MetricKind, RESERVED_SUFFIXES, TYPE_WORDS};

/// The metric name to write instead of `name`, or `None` when there is no single
/// obvious fix (an empty name, a lone number, an ambiguous `_m`). Meant to pass every
/// rule; `rules::suggested_metric_name` keeps it only if it does.
pub(crate) fn metric_name(name: &str, kind: MetricKind) -> Option<String> {
    let mut segments = words(&ascii_only(name));
    // A counter's `_total` goes last, so drop it wherever it trails and add it back.
    while segments.len() > 1 && segments.last().is_some_and(|last| last == "total") {
        segments.pop();
    }
    rotate_leading_number(&mut segments)?;

    // The type is stated by `# TYPE`; keep the word only if it is all there is.
    let mut index = 1;
    while index < segments.len() {
        if TYPE_WORDS.contains(&segments[index].as_str()) {
            segments.remove(index);
        } else {
            index += 1;
        }
    }

    // An abbreviation before the unit position is a word that looks like a unit
    // (`plan_b_signups`): joined to the word before it, not converted.
    let mut index = segments.len();
    while index > 1 {
        index -= 1;
        if index + 1 < segments.len() && vocabulary::linted_abbreviation(&segments[index]).is_some()
        {
            let word = segments.remove(index);
            segments[index - 1].push_str(&word);
        }
    }
    for (index, segment) in segments.iter_mut().enumerate() {
        let unit = vocabulary::non_base_unit(segment).or_else(|| {
            if index > 0 {
                vocabulary::abbreviated_unit(segment)
            } else {
                None
            }
        });
        if let Some(unit) = unit {
            *segment = unit.base?.to_owned();
        }
    }

    while segments.len() > 1
        && segments.last().is_some_and(|last| {
            last == "total"
                || (kind != MetricKind::Counter
                    && RESERVED_SUFFIXES.iter().any(|(word, _)| word == last))
        })
    {
        segments.pop();
    }
    segments.dedup();
    if kind == MetricKind::Counter {
        segments.push("total".to_owned());
    }
    let mut suggestion = segments.join("_");
    if vocabulary::reserved_name(&suggestion).is_some() {
        // A name of the framework's own: the same words, in a family of the user's.
        suggestion.insert_str(0, "app_");
    }
    Some(suggestion)
}

/// The label name to write instead of `name`, or `None` when there is no obvious fix
/// (an empty name); `rules::suggested_label_name` keeps it only if it passes every
/// rule (not a reserved one such as `le`).
pub(crate) fn label_name(name: &str) -> Option<String> {
    let mut segments = words(&ascii_only(name));
    rotate_leading_number(&mut segments)?;
    let suggestion = segments.join("_");
    (suggestion != name).then_some(suggestion)
}

/// Accented Latin letters lose their accent (`café` becomes `cafe`); other non-ASCII
/// characters become word breaks: Prometheus names are ASCII.
fn ascii_only(name: &str) -> String {
    let mut ascii = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            ascii.push(c);
        } else if let Some(plain) = unaccented(c) {
            ascii.push_str(plain);
        } else {
            ascii.push('_');
        }
    }
    ascii
}

/// The ASCII spelling of a Latin-1 or Latin Extended-A letter, if it has an obvious one.
fn unaccented(c: char) -> Option<&'static str> {
    Some(match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
        'À'..='Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'æ' => "ae",
        'Æ' => "AE",
        'ç' | 'ć' | 'č' => "c",
        'Ç' | 'Ć' | 'Č' => "C",
        'ď' | 'đ' => "d",
        'Ď' | 'Đ' => "D",
        'è'..='ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'È'..='Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
        'ì'..='ï' | 'ī' | 'į' => "i",
        'Ì'..='Ï' | 'Ī' | 'Į' => "I",
        'ł' | 'ľ' => "l",
        'Ł' | 'Ľ' => "L",
        'ñ' | 'ń' | 'ň' => "n",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ò'..='ö' | 'ø' | 'ō' | 'ő' => "o",
        'Ò'..='Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
        'œ' => "oe",
        'Œ' => "OE",
        'ř' => "r",
        'Ř' => "R",
        'ś' | 'š' => "s",
        'Ś' | 'Š' => "S",
        'ß' => "ss",
        'ť' => "t",
        'Ť' => "T",
        'ù'..='ü' | 'ū' | 'ů' | 'ű' => "u",
        'Ù'..='Ü' | 'Ū' | 'Ů' | 'Ű' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        _ => return None,
    })
}

/// `5xx_errors` becomes `errors_5xx`; a name whose every word starts with a digit
/// (`404`, `5xx_4xx`) has no fix.
fn rotate_leading_number(segments: &mut [String]) -> Option<()> {
    let first_word = segments
        .iter()
        .position(|segment| !segment.starts_with(|c: char| c.is_ascii_digit()))?;
    segments.rotate_left(first_word);
    Some(())
}
