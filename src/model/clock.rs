//! The date and time written into maps (when evidence was coded, when a memo was written), in
//! UTC, from the system clock (`web_time`, so that a browser has one too).

/// Today's date as `YYYY-MM-DD` (UTC).
pub fn today() -> String {
    utc_now().0
}

/// Now as ISO 8601 in UTC to the second, e.g. `2026-12-07T15:02:11Z`.
pub fn now() -> String {
    let (date, secs) = utc_now();
    format!("{date}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Today's date (`YYYY-MM-DD`, UTC) and the seconds since its midnight.
fn utc_now() -> (String, u64) {
    let secs = web_time::SystemTime::now().duration_since(web_time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    (date_of(secs), secs % 86_400)
}

/// The UTC date of `secs` since 1970 (Howard Hinnant's civil-from-days).
fn date_of(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_fall_on_the_right_day() {
        assert_eq!(date_of(0), "1970-01-01");
        // 2000-02-29 (a leap day in a century year) and the day after.
        assert_eq!(date_of(951_782_400), "2000-02-29");
        assert_eq!(date_of(951_868_800), "2000-03-01");
        assert_eq!(date_of(1_796_601_600 + 86_399), "2026-12-07");
        assert_eq!(date_of(1_796_601_600 + 86_400), "2026-12-08");
        assert!(now().ends_with('Z') && now().len() == 20, "{}", now());
    }
}
