//! Creation times as the backends write them, read into epoch milliseconds.
//!
//! RFC 3339 with its offset; `YYYY-MM-DD HH:MM:SS` (or with a `T`, or a bare date) without an
//! offset is China time (+08:00), as every backend here is in China; numbers and digit strings are
//! epoch seconds, or milliseconds from 10^11 on. Written by hand: `str::parse::<f64>` would bring
//! the float parser (about 16 KB gzip) into the wasm.

use crate::codec::json::Json;

/// The offset assumed for a time without one: China time.
pub const DEFAULT_OFFSET_MINUTES: i64 = 8 * 60;

/// Reads a creation time: `(epoch milliseconds, None)` when it can be read, `(None, text)` when it
/// is text that cannot, `(None, None)` when there is none (missing, `null`, blank, 0 or less).
///
/// Accepted: RFC 3339 (`2021-09-06T17:24:34+08:00`, `2014-10-09T08:15:40.843Z`);
/// `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS` (fraction allowed) or `YYYY-MM-DD`, without an
/// offset, as China time (+08:00); numbers and digit strings as epoch seconds, or milliseconds
/// from 10^11 (the year 5138 in seconds) on.
pub fn parse_time(v: Option<&Json>) -> (Option<f64>, Option<String>) {
    let epoch = |n: f64| -> Option<f64> {
        (n.is_finite() && n > 0.0).then_some(if n >= 1e11 { n } else { n * 1000.0 }).filter(|ms| *ms < 1e15)
    };
    match v {
        Some(Json::Num(n)) => (epoch(*n), None),
        Some(Json::Str(s)) => {
            let t = s.trim();
            if t.is_empty() {
                return (None, None);
            }
            let parsed = if t.bytes().all(|b| b.is_ascii_digit()) && t.len() <= 16 {
                // By hand: `str::parse::<f64>` would bring the float parser into the wasm.
                epoch(t.bytes().fold(0.0, |n, d| n * 10.0 + f64::from(d - b'0')))
            } else {
                parse_datetime(t)
            };
            match parsed {
                Some(ms) => (Some(ms), None),
                None => (None, Some(t.chars().take(64).collect())),
            }
        }
        _ => (None, None),
    }
}

fn parse_datetime(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let part = b.get(from..from + n)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let (mut hour, mut minute, mut second, mut millis) = (0, 0, 0.0, 0.0);
    let mut rest = &s[10..];
    if !rest.is_empty() {
        let sep = rest.as_bytes()[0];
        if !matches!(sep, b'T' | b't' | b' ') {
            return None;
        }
        let t = &rest.as_bytes()[1..];
        if t.len() < 8 || t[2] != b':' || t[5] != b':' {
            return None;
        }
        let two = |i: usize| -> Option<i64> {
            let (x, y) = (t[i], t[i + 1]);
            (x.is_ascii_digit() && y.is_ascii_digit()).then(|| i64::from(x - b'0') * 10 + i64::from(y - b'0'))
        };
        hour = two(0)?;
        minute = two(3)?;
        second = two(6)? as f64;
        if hour > 23 || minute > 59 || second > 60.0 {
            return None;
        }
        rest = &rest[9..];
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            // Milliseconds from the first three digits (finer parts cannot matter here).
            millis = frac
                .bytes()
                .take(3)
                .chain(std::iter::repeat(b'0'))
                .take(3)
                .fold(0.0, |m, d| m * 10.0 + f64::from(d - b'0'));
            rest = &frac[n..];
        }
    }
    let offset_minutes = match rest {
        "" => DEFAULT_OFFSET_MINUTES,
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let o = &rest.as_bytes()[1..];
            let num = |x: &[u8]| -> Option<i64> {
                (x.len() == 2 && x.iter().all(u8::is_ascii_digit))
                    .then(|| i64::from(x[0] - b'0') * 10 + i64::from(x[1] - b'0'))
            };
            let (h, m) = match o.len() {
                5 if o[2] == b':' => (num(&o[..2])?, num(&o[3..])?),
                4 => (num(&o[..2])?, num(&o[2..])?),
                2 => (num(o)?, 0),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 60 + m)
        }
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 - offset_minutes * 60;
    Some(secs as f64 * 1000.0 + second * 1000.0 + millis)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(s: &str) -> Option<f64> {
        parse_time(Some(&Json::Str(s.to_owned()))).0
    }

    #[test]
    fn times_read_in_every_documented_shape() {
        // The export service's example: 2021-09-06T17:24:34+08:00 is 1630920274 seconds.
        assert_eq!(time("2021-09-06T17:24:34+08:00"), Some(1_630_920_274_000.0));
        assert_eq!(time("2021-09-06 17:24:34"), Some(1_630_920_274_000.0), "China time without an offset");
        assert_eq!(time("2014-10-09T08:15:40.843Z"), Some(1_412_842_540_843.0));
        assert_eq!(time("2014-10-09T08:15:40-0130"), Some(1_412_842_540_000.0 + 5_400_000.0));
        assert_eq!(time("1970-01-01"), Some(-8.0 * 3_600_000.0));
        assert_eq!(time("1574405175"), Some(1_574_405_175_000.0));
        assert_eq!(parse_time(Some(&Json::Num(1_574_405_175.0))).0, Some(1_574_405_175_000.0));
        assert_eq!(parse_time(Some(&Json::Num(1_574_405_175_123.0))).0, Some(1_574_405_175_123.0));
        assert_eq!(parse_time(Some(&Json::Num(0.0))), (None, None));
        assert_eq!(parse_time(None), (None, None));
        assert_eq!(parse_time(Some(&Json::Str(" ".into()))), (None, None));
    }

    #[test]
    fn unreadable_times_keep_the_servers_text() {
        for bad in
            ["昨天", "2021-13-01", "2021-02-30 10:00:00", "2021-09-06T25:00:00", "2021-09-06T10:00:00+8", "创建时间"]
        {
            assert_eq!(parse_time(Some(&Json::Str(bad.into()))), (None, Some(bad.to_owned())), "{bad}");
        }
        assert_eq!(time("2024-02-29 00:00:00"), Some(1_709_136_000_000.0), "a leap day");
    }
}
