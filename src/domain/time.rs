//! Calendar arithmetic for times kept as milliseconds since the epoch, shared by the pages and
//! the server so neither needs a date library (the browser bundle stays small).

const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// A calendar date to days since 1970-01-01 (the inverse of [`civil_from_days`]).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// "2026-11-29 05:10 UTC", or "never".
pub fn utc_minutes(ms: Option<i64>) -> String {
    match ms {
        None => "never".into(),
        Some(ms) => format!("{} UTC", clock_text(ms)),
    }
}

/// "2026-11-29 05:10" of a time already shifted to the zone it is shown in.
pub fn clock_text(ms: i64) -> String {
    let minutes = ms.div_euclid(60_000);
    let (y, m, d) = civil_from_days(minutes.div_euclid(1440));
    let rem = minutes.rem_euclid(1440);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", rem / 60, rem % 60)
}

/// "2026-11-29": the UTC date, as report file names carry it.
pub fn utc_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// "2026-11-29T05:10:07.123Z": a precise UTC time for files and machine-readable attributes.
pub fn iso_utc(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let rem = ms.rem_euclid(DAY_MS);
    let (h, min, s, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// The value of an `<input type="datetime-local">` ("2026-11-29T05:10", seconds optional) or a
/// date ("2026-11-29", midnight), read in a zone `offset_minutes` behind UTC (what the browser's
/// `Date.getTimezoneOffset()` says: -60 for Central European winter time), to milliseconds.
pub fn parse_local(text: &str, offset_minutes: i64) -> Option<i64> {
    let text = text.trim();
    let (date, clock) = text.split_once(['T', ' ']).unwrap_or((text, "00:00"));
    let mut date_parts = date.splitn(3, '-');
    let y: i64 = date_parts.next()?.parse().ok()?;
    let m: u32 = date_parts.next()?.parse().ok()?;
    let d: u32 = date_parts.next()?.parse().ok()?;
    let clock = clock.trim_end_matches('Z');
    let mut clock_parts = clock.splitn(3, ':');
    let h: i64 = clock_parts.next()?.parse().ok()?;
    let min: i64 = clock_parts.next()?.parse().ok()?;
    let sec: f64 = clock_parts.next().map(str::parse).transpose().ok()?.unwrap_or(0.0);
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=9999).contains(&y) || d == 0 || d > days_in_month || !(0..24).contains(&h) || !(0..60).contains(&min) || !(0.0..60.0).contains(&sec) {
        return None;
    }
    let local = days_from_civil(y, m, d) * DAY_MS + (h * 60 + min) * 60_000 + (sec * 1000.0) as i64;
    Some(local + offset_minutes * 60_000)
}

/// A time range typed into a filter form: `from` and `to` in the browser's zone (`tz`, as
/// [`parse_local`] reads it; empty for UTC). Empty ends are open; `to` is exclusive.
pub fn time_range(from: &str, to: &str, tz: &str) -> Result<(Option<i64>, Option<i64>), crate::domain::Invalid> {
    use crate::domain::Invalid;
    let offset: i64 = match tz.trim() {
        "" => 0,
        t => t.parse().ok().filter(|m: &i64| m.abs() <= 24 * 60).ok_or_else(|| Invalid::new("from", "The time zone offset is not valid."))?,
    };
    let read = |field: &str, text: &str| -> Result<Option<i64>, Invalid> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        parse_local(text, offset).map(Some).ok_or_else(|| Invalid::new(field, "Enter a date and time such as 2026-11-29 14:30."))
    };
    let (from, to) = (read("from", from)?, read("to", to)?);
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            return Err(Invalid::new("to", "The end of the time range must be after its start."));
        }
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_as_utc_dates() {
        assert_eq!(utc_minutes(Some(1_795_929_026_486)), "2026-11-29 05:10 UTC");
        assert_eq!(utc_minutes(None), "never");
        assert_eq!(utc_date(1_795_929_026_486), "2026-11-29");
        assert_eq!(iso_utc(1_795_929_026_486), "2026-11-29T05:10:26.486Z");
    }

    #[test]
    fn local_inputs_read_in_the_browser_zone() {
        let utc = parse_local("2026-11-29T05:10", 0).unwrap();
        assert_eq!(utc_minutes(Some(utc)), "2026-11-29 05:10 UTC");
        // Central European winter time is an hour ahead: the browser reports -60.
        assert_eq!(parse_local("2026-11-29T06:10", -60), Some(utc));
        assert_eq!(parse_local("2026-11-29", 0).map(utc_date), Some("2026-11-29".into()));
        assert_eq!(parse_local("2024-02-29T00:00:30", 0).map(iso_utc), Some("2024-02-29T00:00:30.000Z".into()));
        for bad in ["", "2026-13-01T00:00", "2026-02-30T00:00", "2026-11-29T24:00", "yesterday", "2026-11-29T05"] {
            assert_eq!(parse_local(bad, 0), None, "{bad}");
        }
    }

    #[test]
    fn days_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 60, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
