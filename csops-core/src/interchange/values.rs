//! Reading one value from its text: days, timestamps and exact decimals by the schema's
//! rules ([`parse_day`] is the one the bindings share), and quoting long values in messages.

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use rust_decimal::Decimal;

use crate::book::ProblemKind;

/// At most this many characters of an offending value are quoted in a problem's reason (the
/// rejected row keeps the whole value).
const QUOTE_LIMIT: usize = 80;

/// Shorten a long value for quoting in a message.
pub(super) fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(QUOTE_LIMIT) {
        None => s.into(),
        Some((i, _)) => format!("{}… ({} characters)", &s[..i], s.chars().count()).into(),
    }
}

/// Replace a long quoted value inside a reason by its clipped form.
pub(super) fn clip_in(reason: String, value: &str) -> String {
    if value.chars().count() > QUOTE_LIMIT {
        reason.replace(value, &clip(value))
    } else {
        reason
    }
}

/// Years outside 1–9999 are refused: exports never mean them, and Python's `date` and
/// JavaScript's ISO strings cannot carry them.
fn plausible_year(y: i32) -> bool {
    (1..=9999).contains(&y)
}

/// Whether `s` starts with a calendar day written `YYYY-MM-DD` (four-digit year, two-digit
/// month and day). The shape is checked before chrono reads the numbers, because chrono alone
/// also takes `24-01-01` (year 24), `2026-1-1` and `+2026-01-01`.
fn starts_with_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&k| b[k].is_ascii_digit())
}

/// The day of a text whose first ten characters have the shape [`starts_with_day`] checks:
/// the digits read as numbers and the calendar checked by chrono (`2026-02-30` is none). The
/// same day as chrono's `NaiveDate::from_str` on that shape (a property test compares them),
/// without its general parser: loading a book reads tens of millions of days.
fn day_of(b: &[u8]) -> Option<NaiveDate> {
    let n = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d.wrapping_sub(b'0')))
    };
    NaiveDate::from_ymd_opt(i32::try_from(n(0, 4)).ok()?, n(5, 7), n(8, 10))
}

/// A day given as an argument (`as_of`, a window's ends): exactly `YYYY-MM-DD` with a
/// four-digit year 1–9999, spaces around it ignored. The one rule both bindings use, so Python
/// and Node accept and refuse the same texts (`2026-1-1`, `+2026-01-01`, `-0001-01-01` and
/// `24-01-01` are refused); the message names what is expected.
///
/// ```
/// use csops_core::interchange::parse_day;
/// assert_eq!(parse_day("2026-03-31").unwrap().to_string(), "2026-03-31");
/// assert!(parse_day("2026-1-1").is_err());
/// ```
pub fn parse_day(s: &str) -> std::result::Result<NaiveDate, String> {
    let t = s.trim();
    (t.len() == 10 && starts_with_day(t))
        .then(|| day_of(t.as_bytes()))
        .flatten()
        .filter(|d| plausible_year(d.year()))
        .ok_or_else(|| format!("`{s}` is not a date (expected YYYY-MM-DD, years 1 to 9999)"))
}

/// A day: `YYYY-MM-DD`, or a timestamp whose day is that (`2024-01-01T23:30:00-05:00` is
/// 1 January as written, never moved to another day by a time-zone conversion).
pub(super) fn parse_date(s: &str) -> std::result::Result<NaiveDate, (ProblemKind, String)> {
    let day = starts_with_day(s)
        .then(|| day_of(s.as_bytes()))
        .flatten()
        .filter(|d| plausible_year(d.year()));
    match day {
        Some(d) if s.len() == 10 || parse_timestamp_ms(s).is_ok() => Ok(d),
        _ => Err((
            ProblemKind::Malformed,
            format!("`{s}` is not a date (expected YYYY-MM-DD)"),
        )),
    }
}

/// A decimal number exactly as written: `1200.50`, `-3`, `1.2e3`. No separators (`1_200`,
/// `1,200`, ` 12`), and never rounded: a value with more digits than a decimal holds (28
/// after the point, 29 in all) is refused rather than cut.
pub(crate) fn exact_decimal(s: &str) -> std::result::Result<Decimal, String> {
    let bad = || format!("`{s}` is not a decimal number");
    let shape = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !shape {
        return Err(bad());
    }
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(k) => (&s[..k], Some(&s[k + 1..])),
        None => (s, None),
    };
    let too_precise =
        || format!("`{s}` has more digits than an exact decimal holds (28 after the point)");
    let mut d = Decimal::from_str_exact(mantissa).map_err(|e| match e {
        rust_decimal::Error::Underflow => too_precise(),
        _ => bad(),
    })?;
    let Some(exponent) = exponent else {
        return Ok(d);
    };
    let e: i32 = exponent.parse().map_err(|_| bad())?;
    if e < 0 {
        let scale = d.scale() + e.unsigned_abs();
        if scale > 28 {
            return Err(too_precise());
        }
        d.set_scale(scale).map_err(|_| too_precise())?;
    } else {
        for _ in 0..e.min(29) {
            d = d.checked_mul(Decimal::TEN).ok_or_else(bad)?;
        }
        if e > 28 {
            return Err(bad());
        }
    }
    Ok(d)
}

/// The formats of a timestamp without an offset (read as UTC), parsed once.
static NAIVE_TIMESTAMPS: std::sync::LazyLock<[Vec<chrono::format::Item<'static>>; 2]> =
    std::sync::LazyLock::new(|| {
        ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"].map(|f| {
            chrono::format::StrftimeItems::new(f)
                .parse_to_owned()
                .unwrap_or_default()
        })
    });

fn parse_timestamp_ms(s: &str) -> std::result::Result<i64, (ProblemKind, String)> {
    parse_timestamp(s).map(|(ms, _)| ms)
}

/// A timestamp in milliseconds, and whether it had digits below the millisecond (which
/// usage events do not keep: the loader notes them).
pub(super) fn parse_timestamp(s: &str) -> std::result::Result<(i64, bool), (ProblemKind, String)> {
    let finer = |nanos: u32| !nanos.is_multiple_of(1_000_000);
    if starts_with_day(s) {
        if let Ok(t) = DateTime::parse_from_rfc3339(s)
            && plausible_year(t.with_timezone(&Utc).year())
        {
            return Ok((t.timestamp_millis(), finer(t.timestamp_subsec_nanos())));
        }
        for items in NAIVE_TIMESTAMPS.iter() {
            let mut parsed = chrono::format::Parsed::new();
            if chrono::format::parse(&mut parsed, s, items.iter()).is_ok()
                && let Ok(t) = parsed.to_naive_datetime_with_offset(0)
                && plausible_year(t.year())
            {
                let t = t.and_utc();
                return Ok((t.timestamp_millis(), finer(t.timestamp_subsec_nanos())));
            }
        }
        // A day alone is its midnight UTC (a date column of a frame, written as a day).
        if s.len() == 10
            && let Some(d) = day_of(s.as_bytes())
            && plausible_year(d.year())
        {
            return Ok((
                d.and_time(chrono::NaiveTime::MIN)
                    .and_utc()
                    .timestamp_millis(),
                false,
            ));
        }
    }
    Err((
        ProblemKind::Malformed,
        format!("`{s}` is not a timestamp (expected RFC 3339, e.g. 2025-03-01T09:30:00Z)"),
    ))
}

pub(super) fn fmt_timestamp_ms(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The fast day reader gives chrono's answer on every text of the day shape, valid
        /// days and impossible ones (month 13, 30 February, day 00) alike.
        #[test]
        fn day_of_agrees_with_chrono(y in 0u32..10_000, m in 0u32..100, d in 0u32..100) {
            let text = format!("{y:04}-{m:02}-{d:02}");
            prop_assert!(starts_with_day(&text));
            prop_assert_eq!(day_of(text.as_bytes()), text.parse::<NaiveDate>().ok());
        }
    }

    #[test]
    fn leap_days_follow_the_calendar() {
        assert!(parse_date("2024-02-29").is_ok());
        assert!(parse_date("2023-02-29").is_err());
        assert!(parse_date("1900-02-29").is_err());
        assert!(parse_date("2000-02-29").is_ok());
        assert!(parse_day("0000-01-01").is_err());
    }
}
