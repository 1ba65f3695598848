//! What business metrics accept as label values and as numbers.

use std::borrow::Cow;
use std::time::Duration;

/// A value that can label a business metric.
///
/// Implemented for `str`, `String`, `Cow<str>`, `bool`, the integer types and
/// references to any of them. Implement it for your own enums to label by them:
/// return a fixed string per variant, and the update allocates nothing (nor does it
/// for strings, `bool` and integers, which are formatted on the stack).
///
/// ```
/// use std::borrow::Cow;
/// use monitor_runtime::business::LabelValue;
///
/// pub enum Plan {
///     Free,
///     Pro,
/// }
///
/// impl LabelValue for Plan {
///     fn label_value(&self) -> Cow<'_, str> {
///         Cow::Borrowed(match self {
///             Plan::Free => "free",
///             Plan::Pro => "pro",
///         })
///     }
/// }
///
/// assert_eq!(Plan::Pro.label_value(), "pro");
/// assert_eq!("eu-west".label_value(), "eu-west");
/// assert_eq!(404_u16.label_value(), "404");
/// ```
///
/// Keep the number of distinct values small: every distinct label set is a series
/// Prometheus stores. Past a metric's limit (see [`crate::business`]) new values fold
/// into the `__overflow__` series.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a label value",
    label = "this expression must give a label value",
    note = "label values are `&str`, `String`, `bool`, integers, or a type that implements `monitor_runtime::business::LabelValue` (for an enum, map each variant to a fixed string)"
)]
pub trait LabelValue {
    /// The label value, borrowed when possible so that updating an existing series
    /// allocates nothing.
    fn label_value(&self) -> Cow<'_, str>;

    /// The label value as an update reads it, without allocating when it can: by
    /// default [`label_value`](Self::label_value)'s; the integer types write their
    /// digits on the stack instead of allocating a `String`.
    ///
    /// ```
    /// use monitor_runtime::business::LabelValue;
    /// assert_eq!(404_u16.label_str().as_str(), "404");
    /// assert_eq!("eu-west".label_str().as_str(), "eu-west");
    /// ```
    #[inline]
    fn label_str(&self) -> LabelStr<'_> {
        LabelStr::from(self.label_value())
    }
}

/// A label value as an update reads it ([`LabelValue::label_str`]): borrowed, owned,
/// or an integer's digits on the stack.
///
/// ```
/// use std::borrow::Cow;
/// use monitor_runtime::business::LabelStr;
///
/// let value = LabelStr::from(Cow::Borrowed("pro"));
/// assert_eq!(value.as_str(), "pro");
/// ```
pub struct LabelStr<'a>(Text<'a>);

enum Text<'a> {
    /// Borrowed from the value.
    Borrowed(&'a str),
    /// An integer's decimal digits (ASCII), and how many there are.
    Integer([u8; INTEGER_DIGITS], u8),
    /// Made by the value's own `label_value`.
    Owned(String),
}

/// The most characters an integer label value has (`i128::MIN`).
const INTEGER_DIGITS: usize = 40;

impl LabelStr<'_> {
    /// An integer, formatted on the stack.
    #[inline]
    fn integer(value: impl itoa::Integer) -> Self {
        let mut buffer = itoa::Buffer::new();
        let digits = buffer.format(value).as_bytes();
        let mut bytes = [0; INTEGER_DIGITS];
        bytes[..digits.len()].copy_from_slice(digits);
        LabelStr(Text::Integer(bytes, digits.len() as u8))
    }

    /// The value.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Text::Borrowed(value) => value,
            Text::Integer(bytes, len) => {
                // SAFETY: `integer` wrote `len` ASCII digits (and a sign) there.
                unsafe { std::str::from_utf8_unchecked(bytes.get_unchecked(..usize::from(*len))) }
            }
            Text::Owned(value) => value,
        }
    }
}

impl<'a> From<Cow<'a, str>> for LabelStr<'a> {
    #[inline]
    fn from(value: Cow<'a, str>) -> Self {
        match value {
            Cow::Borrowed(value) => LabelStr(Text::Borrowed(value)),
            Cow::Owned(value) => LabelStr(Text::Owned(value)),
        }
    }
}

impl AsRef<str> for LabelStr<'_> {
    #[inline]
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl LabelValue for str {
    #[inline]
    fn label_value(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl LabelValue for String {
    #[inline]
    fn label_value(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl LabelValue for Cow<'_, str> {
    #[inline]
    fn label_value(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl LabelValue for bool {
    #[inline]
    fn label_value(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

impl<T: LabelValue + ?Sized> LabelValue for &T {
    #[inline]
    fn label_value(&self) -> Cow<'_, str> {
        (**self).label_value()
    }

    #[inline]
    fn label_str(&self) -> LabelStr<'_> {
        (**self).label_str()
    }
}

impl<T: LabelValue + ?Sized> LabelValue for &mut T {
    #[inline]
    fn label_value(&self) -> Cow<'_, str> {
        (**self).label_value()
    }

    #[inline]
    fn label_str(&self) -> LabelStr<'_> {
        (**self).label_str()
    }
}

impl<T: LabelValue + ?Sized> LabelValue for Box<T> {
    #[inline]
    fn label_value(&self) -> Cow<'_, str> {
        (**self).label_value()
    }

    #[inline]
    fn label_str(&self) -> LabelStr<'_> {
        (**self).label_str()
    }
}

macro_rules! integer_label_values {
    ($($int:ty),*) => {$(
        impl LabelValue for $int {
            #[inline]
            fn label_value(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }

            #[inline]
            fn label_str(&self) -> LabelStr<'_> {
                LabelStr::integer(*self)
            }
        }
    )*};
}

integer_label_values!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

/// A number a business metric can count, set or observe.
///
/// Implemented for every primitive integer and float type, for [`Duration`] (in
/// seconds, the Prometheus base unit) and for references to them. Values are stored
/// as `f64`.
///
/// ```
/// use std::time::Duration;
/// use monitor_runtime::business::MetricValue;
///
/// assert_eq!(3_u32.metric_value(), 3.0);
/// assert_eq!(Duration::from_millis(250).metric_value(), 0.25);
/// assert_eq!((&12.5_f32).metric_value(), 12.5);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a number a business metric can record",
    label = "this expression must give a number",
    note = "business metric values are integers, floats or `std::time::Duration` (recorded in seconds), or a type that implements `monitor_runtime::business::MetricValue`"
)]
pub trait MetricValue {
    /// The value as a float.
    fn metric_value(&self) -> f64;
}

macro_rules! number_metric_values {
    ($($number:ty),*) => {$(
        impl MetricValue for $number {
            #[inline]
            #[allow(clippy::cast_lossless, clippy::cast_precision_loss)]
            fn metric_value(&self) -> f64 {
                *self as f64
            }
        }
    )*};
}

number_metric_values!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64
);

impl MetricValue for Duration {
    #[inline]
    fn metric_value(&self) -> f64 {
        self.as_secs_f64()
    }
}

impl<T: MetricValue + ?Sized> MetricValue for &T {
    #[inline]
    fn metric_value(&self) -> f64 {
        (**self).metric_value()
    }
}

impl<T: MetricValue + ?Sized> MetricValue for &mut T {
    #[inline]
    fn metric_value(&self) -> f64 {
        (**self).metric_value()
    }
}
