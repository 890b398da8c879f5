//! Wall-clock times as the backends write them: epoch seconds, RFC 3339 and `YYYY-MM-DD` in China
//! time.

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `secs` (since the epoch, UTC) shifted by `offset_hours`, as `YYYY-MM-DD`, `HH:MM:SS`.
fn civil(secs: i64, offset_hours: i64) -> ((i64, u32, u32), (i64, i64, i64)) {
    let secs = secs + offset_hours * 3600;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    ((y, m, d), (rem / 3600, rem % 3600 / 60, rem % 60))
}

/// RFC 3339 in China time, as the documents show: `2021-09-06T17:24:34+08:00`.
pub fn rfc3339_cst(secs: i64) -> String {
    let ((y, mo, d), (h, mi, s)) = civil(secs, 8);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+08:00")
}

/// `2023-05-26 19:28:33` in China time.
pub fn datetime_cst(secs: i64) -> String {
    let ((y, mo, d), (h, mi, s)) = civil(secs, 8);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// `2023-05-27` in China time.
pub fn date_cst(secs: i64) -> String {
    let ((y, mo, d), _) = civil(secs, 8);
    format!("{y:04}-{mo:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_china_time() {
        assert_eq!(rfc3339_cst(1_630_920_274), "2021-09-06T17:24:34+08:00");
        assert_eq!(datetime_cst(0), "1970-01-01 08:00:00");
        assert_eq!(date_cst(1_685_145_600), "2023-05-27");
    }
}
