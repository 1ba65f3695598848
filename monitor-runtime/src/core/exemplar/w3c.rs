//! W3C Trace Context, Level 1: `traceparent` and `tracestate` read as the
//! specification says, and the count of the headers it calls invalid
//! (`monitor_trace_context_invalid_total{reason}`).
//!
//! An invalid `traceparent` is ignored (the request starts a new trace), never
//! refused; a `tracestate` is kept only beside a valid `traceparent`, and dropped
//! whole when it is itself invalid.

// Headers are read by the HTTP server layer: without it, only `traceparent`'s
// parser serves (`TraceContext::from_traceparent`).
#![cfg_attr(not(feature = "http"), allow(dead_code))]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::core::model::{Family, Kind, Labels, Value};
use crate::core::registry::{INITIALISERS, Initialiser, Phase, report};
use crate::core::source::{Claim, Source, add_source};

/// Why a header was ignored: the `reason` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Invalid {
    /// More than one `traceparent` header.
    Multiple,
    /// A version that is not two lower-case hex digits, or `ff`.
    Version,
    /// A length or separators that do not fit the version.
    Format,
    /// A trace id that is not 32 lower-case hex digits, or all zeros.
    TraceId,
    /// A parent id that is not 16 lower-case hex digits, or all zeros.
    ParentId,
    /// Flags that are not two lower-case hex digits.
    Flags,
    /// A `tracestate` that breaks the list's grammar or limits.
    Tracestate,
}

impl Invalid {
    const ALL: [Invalid; 7] = [
        Invalid::Multiple,
        Invalid::Version,
        Invalid::Format,
        Invalid::TraceId,
        Invalid::ParentId,
        Invalid::Flags,
        Invalid::Tracestate,
    ];

    fn label(self) -> &'static str {
        match self {
            Invalid::Multiple => "multiple",
            Invalid::Version => "version",
            Invalid::Format => "format",
            Invalid::TraceId => "trace_id",
            Invalid::ParentId => "parent_id",
            Invalid::Flags => "flags",
            Invalid::Tracestate => "tracestate",
        }
    }
}

/// The length of a version-00 `traceparent`.
const LENGTH: usize = 55;

/// A parent as `traceparent` names it: trace id, parent id (neither zero), sampled.
pub(crate) type Parent = (u128, u64, bool);

/// Reads a `traceparent` value.
pub(crate) fn parse_traceparent(value: &[u8]) -> Result<Parent, Invalid> {
    if value.len() < 2 {
        return Err(Invalid::Format);
    }
    let version = hex_lower(&value[..2]).ok_or(Invalid::Version)?;
    if version == 0xff {
        return Err(Invalid::Version);
    }
    // Version 00 is exactly 55 characters; a later version at least that, and
    // what follows its version-00 prefix starts with `-`.
    let fits = if version == 0 {
        value.len() == LENGTH
    } else {
        value.len() == LENGTH || (value.len() > LENGTH && value[LENGTH] == b'-')
    };
    if !fits || value[2] != b'-' || value[35] != b'-' || value[52] != b'-' {
        return Err(Invalid::Format);
    }
    let high = hex16(&value[3..19]);
    let low = hex16(&value[19..35]);
    let trace_id = match (high, low) {
        (Some(high), Some(low)) if (high | low) != 0 => (u128::from(high) << 64) | u128::from(low),
        _ => return Err(Invalid::TraceId),
    };
    let parent_id = hex16(&value[36..52])
        .filter(|&id| id != 0)
        .ok_or(Invalid::ParentId)?;
    let flags = hex_lower(&value[53..55]).ok_or(Invalid::Flags)? as u8;
    Ok((trace_id, parent_id, flags & 1 == 1))
}

/// 16 lower-case hex digits as a number; `None` for any other character.
#[inline]
fn hex16(digits: &[u8]) -> Option<u64> {
    let (high, low) = digits.split_at_checked(8)?;
    let high = hex8(high.try_into().ok()?)?;
    let low = hex8(low.try_into().ok()?)?;
    Some((u64::from(high) << 32) | u64::from(low))
}

/// 8 lower-case hex digits as a number, eight at a time in one word: each byte's
/// digit is its low nibble, plus 9 for a letter (`a` is 0x61); the byte is a
/// lower-case hex digit exactly when that digit is below 16 and writes back as the
/// byte itself. Then the nibbles are packed, pairs first.
#[inline]
fn hex8(digits: &[u8; 8]) -> Option<u32> {
    const LOW: u64 = 0x0f0f_0f0f_0f0f_0f0f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let text = u64::from_be_bytes(*digits);
    let letter = (text >> 6) & ONES;
    let nibbles = (text & LOW) + letter * 9;
    let above_nine = ((nibbles + 6 * ONES) >> 4) & ONES;
    let written = nibbles + 0x30 * ONES + above_nine * 0x27;
    if nibbles & !LOW != 0 || written != text {
        return None;
    }
    let pairs = ((nibbles & 0x0f00_0f00_0f00_0f00) >> 4) | (nibbles & 0x000f_000f_000f_000f);
    let quads = ((pairs & 0x00ff_0000_00ff_0000) >> 8) | (pairs & 0x0000_00ff_0000_00ff);
    Some((((quads & 0x0000_ffff_0000_0000) >> 16) | (quads & 0x0000_0000_0000_ffff)) as u32)
}

/// The value of each lower-case hex digit; [`NOT_HEX`] for any other byte.
const HEX: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut digit = 0;
    while digit < 16 {
        table[b"0123456789abcdef"[digit] as usize] = digit as u8;
        digit += 1;
    }
    table
};
const NOT_HEX: u8 = 0x10;

/// Lower-case hex digits (at most 16) as a number; `None` for any other character.
/// One table read per digit, the check once at the end.
#[inline]
fn hex_lower(digits: &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    let mut seen: u8 = 0;
    for &digit in digits {
        let nibble = HEX[usize::from(digit)];
        seen |= nibble;
        value = (value << 4) | u64::from(nibble & 0x0f);
    }
    (seen & NOT_HEX == 0).then_some(value)
}

/// The most list members a `tracestate` may have.
const MAX_MEMBERS: usize = 32;
/// What a `tracestate` is cut to when longer: at least 512 characters must be
/// propagated; members longer than 128 go first.
const MAX_LENGTH: usize = 512;

/// Reads the `tracestate` values (several headers form one list): the list,
/// normalised (empty members dropped, one `,` between members) and cut to 512
/// characters as the specification allows, or why it is invalid.
pub(crate) fn parse_tracestate<'a>(
    values: impl Iterator<Item = &'a [u8]>,
) -> Result<Option<Arc<str>>, Invalid> {
    let mut members: Vec<&str> = Vec::new();
    for value in values {
        let text = std::str::from_utf8(value).map_err(|_| Invalid::Tracestate)?;
        for member in text.split(',') {
            let member = member.trim_matches([' ', '\t']);
            if member.is_empty() {
                continue;
            }
            let (key, state) = member.split_once('=').ok_or(Invalid::Tracestate)?;
            if !valid_key(key) || !valid_value(state) {
                return Err(Invalid::Tracestate);
            }
            if members
                .iter()
                .any(|seen| seen.split_once('=').is_some_and(|(seen, _)| seen == key))
            {
                return Err(Invalid::Tracestate);
            }
            members.push(member);
        }
    }
    if members.len() > MAX_MEMBERS {
        return Err(Invalid::Tracestate);
    }
    if members.is_empty() {
        return Ok(None);
    }
    let length = |members: &[&str]| {
        members.iter().map(|member| member.len()).sum::<usize>() + members.len() - 1
    };
    // Too long: members of more than 128 characters go first, from the right,
    // then the rightmost members.
    while length(&members) > MAX_LENGTH {
        match members.iter().rposition(|member| member.len() > 128) {
            Some(long) => members.remove(long),
            None => members.pop().unwrap_or_default(),
        };
        if members.is_empty() {
            return Ok(None);
        }
    }
    Ok(Some(Arc::from(members.join(","))))
}

/// A list member's key: `simple-key` or `tenant-id@system-id`.
fn valid_key(key: &str) -> bool {
    let rest = |text: &str, most: usize| {
        text.len() <= most
            && text.bytes().all(|byte| {
                byte.is_ascii_lowercase()
                    || byte.is_ascii_digit()
                    || matches!(byte, b'_' | b'-' | b'*' | b'/')
            })
    };
    match key.split_once('@') {
        None => {
            let Some(first) = key.bytes().next() else {
                return false;
            };
            first.is_ascii_lowercase() && rest(&key[1..], 255)
        }
        Some((tenant, system)) => {
            let (Some(tenant_first), Some(system_first)) =
                (tenant.bytes().next(), system.bytes().next())
            else {
                return false;
            };
            (tenant_first.is_ascii_lowercase() || tenant_first.is_ascii_digit())
                && rest(&tenant[1..], 240)
                && system_first.is_ascii_lowercase()
                && rest(&system[1..], 13)
        }
    }
}

/// A list member's value: 1 to 256 printable ASCII characters but `,` and `=`,
/// not ending in a space.
fn valid_value(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 256
        && !value.ends_with(' ')
        && value
            .bytes()
            .all(|byte| (0x20..=0x7e).contains(&byte) && byte != b',' && byte != b'=')
}

const INVALID: &str = "monitor_trace_context_invalid_total";
const INVALID_HELP: &str = "Trace context headers (traceparent, tracestate) ignored because \
     W3C Trace Context calls them invalid, by reason; the request was served in a new trace.";

/// `monitor_trace_context_invalid_total`, one count per reason.
struct InvalidHeaders([AtomicU64; Invalid::ALL.len()]);

static COUNTS: InvalidHeaders = InvalidHeaders([const { AtomicU64::new(0) }; Invalid::ALL.len()]);

/// Counts an ignored header.
pub(crate) fn count_invalid(reason: Invalid) {
    COUNTS.0[reason as usize].fetch_add(1, Ordering::Relaxed);
}

impl Source for InvalidHeaders {
    fn collect(&self, out: &mut Vec<Family>) {
        let mut family = Family::new(INVALID, INVALID_HELP, Kind::Counter);
        for reason in Invalid::ALL {
            family.push(
                Labels::new([("reason", reason.label())]),
                Value::counter(self.0[reason as usize].load(Ordering::Relaxed) as f64),
            );
        }
        out.push(family);
    }
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Own,
    name: "trace context",
    run: register,
};

fn register() {
    if let Err(conflict) = add_source(
        &COUNTS,
        &[Claim::new(INVALID, Kind::Counter, INVALID_HELP)],
        "the trace context's own metric",
        "the start-up of monitor_runtime",
    ) {
        report(conflict.into_error("monitor_runtime (trace context)"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn a_valid_traceparent_is_read() {
        let (trace, parent, sampled) = parse_traceparent(VALID.as_bytes()).unwrap();
        assert_eq!(trace, 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736);
        assert_eq!(parent, 0x00f0_67aa_0ba9_02b7);
        assert!(sampled);
        let unsampled = VALID.replace("-01", "-00");
        assert!(!parse_traceparent(unsampled.as_bytes()).unwrap().2);
        // Other flags are kept out; only `sampled` is read.
        let other_flags = VALID.replace("-01", "-09");
        assert!(parse_traceparent(other_flags.as_bytes()).unwrap().2);
    }

    #[test]
    fn eight_digits_at_a_time_read_as_one_at_a_time() {
        let slow = |digits: &[u8]| -> Option<u64> {
            digits.iter().try_fold(0_u64, |value, &digit| {
                let nibble = match digit {
                    b'0'..=b'9' => digit - b'0',
                    b'a'..=b'f' => digit - b'a' + 10,
                    _ => return None,
                };
                Some((value << 4) | u64::from(nibble))
            })
        };
        // Every byte at every place, among valid digits.
        for place in 0..8 {
            for byte in 0..=255_u8 {
                let mut digits = *b"0123abcd";
                digits[place] = byte;
                assert_eq!(hex8(&digits).map(u64::from), slow(&digits), "{digits:?}");
            }
        }
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..10_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let digits: Vec<u8> = format!("{state:016x}").into_bytes();
            assert_eq!(hex16(&digits), Some(state));
        }
        assert_eq!(hex16(b"ffffffffffffffff"), Some(u64::MAX));
        assert_eq!(hex16(b"0000000000000000"), Some(0));
        assert_eq!(hex16(b"000000000000000"), None);
    }

    #[test]
    fn a_later_version_is_read_by_its_version_00_prefix() {
        let later = VALID.replacen("00", "cc", 1);
        assert!(parse_traceparent(later.as_bytes()).is_ok());
        let longer = format!("{later}-what-the-future-holds");
        assert!(parse_traceparent(longer.as_bytes()).is_ok());
        // ... but not when what follows does not start with `-`.
        let glued = format!("{later}x");
        assert_eq!(parse_traceparent(glued.as_bytes()), Err(Invalid::Format));
        // Version 00 is exactly 55 characters.
        let longer_00 = format!("{VALID}-x");
        assert_eq!(
            parse_traceparent(longer_00.as_bytes()),
            Err(Invalid::Format)
        );
    }

    #[test]
    fn every_invalid_traceparent_of_the_specification_is_refused_with_its_reason() {
        let cases: &[(&str, Invalid)] = &[
            (
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                Invalid::Version,
            ),
            (
                "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                Invalid::Version,
            ),
            (
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                Invalid::TraceId,
            ),
            (
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                Invalid::TraceId,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                Invalid::ParentId,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
                Invalid::ParentId,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
                Invalid::Flags,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
                Invalid::Format,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
                Invalid::Format,
            ),
            (
                "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
                Invalid::Format,
            ),
            ("", Invalid::Format),
            ("0", Invalid::Format),
            ("00", Invalid::Format),
        ];
        for &(value, reason) in cases {
            assert_eq!(
                parse_traceparent(value.as_bytes()),
                Err(reason),
                "{value:?}"
            );
        }
    }

    fn tracestate(values: &[&str]) -> Result<Option<Arc<str>>, Invalid> {
        parse_tracestate(values.iter().map(|value| value.as_bytes()))
    }

    #[test]
    fn a_tracestate_is_normalised_and_several_headers_join() {
        assert_eq!(
            tracestate(&[
                "rojo=00f067aa0ba902b7, ,congo=t61rcWkgMzE",
                "tenant@vendor=x"
            ])
            .unwrap()
            .as_deref(),
            Some("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,tenant@vendor=x")
        );
        assert_eq!(tracestate(&[" , "]).unwrap(), None);
    }

    #[test]
    fn an_invalid_tracestate_is_dropped_whole() {
        for bad in [
            "Rojo=1",
            "rojo",
            "rojo=",
            "rojo=a,rojo=b",
            "rojo=a=b",
            "@vendor=1",
            "tenant@=1",
            "rojo=caf\u{e9}",
        ] {
            assert_eq!(tracestate(&[bad]), Err(Invalid::Tracestate), "{bad:?}");
        }
        let many: Vec<String> = (0..33).map(|n| format!("k{n}=v")).collect();
        assert_eq!(tracestate(&[&many.join(",")]), Err(Invalid::Tracestate));
    }

    #[test]
    fn a_long_tracestate_loses_its_longest_members_first() {
        let long = format!("long={}", "x".repeat(200));
        let members: Vec<String> = (0..20)
            .map(|n| format!("k{n:02}={}", "y".repeat(20)))
            .collect();
        let value = format!("{},{long}", members.join(","));
        let kept = tracestate(&[&value]).unwrap().unwrap();
        assert!(kept.len() <= MAX_LENGTH);
        assert!(!kept.contains("long="));
        assert!(kept.starts_with("k00="));
    }
}
