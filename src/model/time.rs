//! Timestamps as RSSDs hold them: ISO-8601 text (`2024-05-01T10:00:00.123Z`,
//! `2024-05-01 10:00:00`, with or without offset), SQLite's `CURRENT_TIMESTAMP` form,
//! epoch seconds or milliseconds as numbers, or garbage. We keep the raw text and, when
//! it parses, milliseconds since the Unix epoch (UTC).

use serde::Serialize;

/// A timestamp cell: what was stored, and what it means when it can be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timestamp {
    pub raw: String,
    /// Milliseconds since 1970-01-01T00:00:00Z; `None` when `raw` is not a timestamp.
    pub epoch_ms: Option<i64>,
}

impl Timestamp {
    pub fn from_text(raw: &str) -> Timestamp {
        Timestamp {
            raw: raw.to_string(),
            epoch_ms: parse_text(raw.trim()),
        }
    }

    pub fn from_number(n: f64) -> Timestamp {
        // Seconds until the year 5138, milliseconds after: no RSSD predates 1970.
        let ms = if n.abs() < 1e11 { n * 1000.0 } else { n };
        Timestamp {
            raw: if n.fract() == 0.0 && n.abs() < 1e18 {
                format!("{}", n as i64)
            } else {
                format!("{n}")
            },
            epoch_ms: (ms.is_finite() && ms.abs() <= MAX_MS as f64)
                .then_some(ms as i64)
                .filter(|ms| ms.abs() <= MAX_MS),
        }
    }

    /// `YYYY-MM-DD HH:MM:SS` in UTC, or the raw text when it did not parse.
    pub fn display(&self) -> String {
        match self.epoch_ms {
            Some(ms) => format_utc(ms),
            None => self.raw.clone(),
        }
    }
}

/// The end of the year 9999 in milliseconds: times further from 1970 than this are
/// not timestamps, so durations and differences between two times cannot overflow.
pub const MAX_MS: i64 = 253_402_300_799_999;

fn digits(s: &[u8], from: usize, n: usize) -> Option<i64> {
    let part = s.get(from..from + n)?;
    if !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(part).ok()?.parse().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn parse_text(s: &str) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    // Numbers stored as text: epoch seconds or milliseconds.
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') && s.len() >= 9 {
        return s
            .parse::<f64>()
            .ok()
            .and_then(|n| Timestamp::from_number(n).epoch_ms);
    }
    let b = s.as_bytes();
    let year = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * 86_400_000;
    if b.len() == 10 {
        return Some(ms);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = digits(b, 11, 2)?;
    if b.get(13) != Some(&b':') {
        return None;
    }
    let minute = digits(b, 14, 2)?;
    let mut i = 16;
    let mut second = 0;
    if b.get(16) == Some(&b':') {
        second = digits(b, 17, 2)?;
        i = 19;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    ms += (hour * 3600 + minute * 60 + second) * 1000;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = &s[start..i];
        if frac.is_empty() {
            return None;
        }
        let padded = format!("{frac:0<3}");
        ms += padded[..3].parse::<i64>().ok()?;
    }
    match b.get(i) {
        None => Some(ms),
        Some(b'Z' | b'z') if i + 1 == b.len() => Some(ms),
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(b, i + 1, 2)?;
            let rest = &b[i + 3..];
            let om = match rest {
                [] => 0,
                [b':', m1, m2] | [m1, m2] if m1.is_ascii_digit() && m2.is_ascii_digit() => {
                    i64::from((m1 - b'0') * 10 + (m2 - b'0'))
                }
                _ => return None,
            };
            let off = (oh * 60 + om) * 60_000;
            Some(if sign == b'+' { ms - off } else { ms + off })
        }
        _ => None,
    }
}

/// The fields of a UTC time: year, month, day, hour, minute, second, millisecond.
fn utc_fields(ms: i64) -> [i64; 7] {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    [
        y,
        m,
        d,
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    ]
}

/// [`format_utc`] by `format!`: the definition, used for years it does not write digit
/// by digit.
fn format_utc_fmt(ms: i64) -> String {
    let [y, m, d, h, mi, s, milli] = utc_fields(ms);
    if milli == 0 {
        format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}.{milli:03}")
    }
}

/// `YYYY-MM-DD HH:MM:SS` (with `.mmm` when not whole seconds) in UTC.
pub fn format_utc(ms: i64) -> String {
    let [y, m, d, h, mi, s, milli] = utc_fields(ms);
    if !(0..=9999).contains(&y) {
        return format_utc_fmt(ms);
    }
    // digits written directly: index pages show two times per session, five times over
    let mut out = String::with_capacity(23);
    let put = |out: &mut String, n: i64, width: u32, sep: Option<char>| {
        for k in (0..width).rev() {
            out.push(char::from(b'0' + (n / 10i64.pow(k) % 10) as u8));
        }
        if let Some(c) = sep {
            out.push(c);
        }
    };
    put(&mut out, y, 4, Some('-'));
    put(&mut out, m, 2, Some('-'));
    put(&mut out, d, 2, Some(' '));
    put(&mut out, h, 2, Some(':'));
    put(&mut out, mi, 2, Some(':'));
    put(&mut out, s, 2, None);
    if milli != 0 {
        out.push('.');
        put(&mut out, milli, 3, None);
    }
    out
}

/// A duration for people: `850 ms`, `4.2 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`.
pub fn format_duration(ms: i64) -> String {
    // Seconds with a tenth are written from digits (there is one per execution):
    // float formatting rounds the same way except at an exact half of a tenth
    // (x.x50 s), where the float's error decides, so that case is left to it.
    let abs = ms.unsigned_abs();
    if (1000..60_000).contains(&abs) && abs % 100 != 50 {
        let tenths = (abs + 50) / 100;
        let mut s = String::with_capacity(8);
        if ms < 0 {
            s.push('-');
        }
        s.push_str(&(tenths / 10).to_string());
        s.push('.');
        s.push(char::from(b'0' + (tenths % 10) as u8));
        s.push_str(" s");
        return s;
    }
    format_duration_fmt(ms)
}

/// [`format_duration`] through the formatting machinery (and the reference its test
/// holds it to).
fn format_duration_fmt(ms: i64) -> String {
    let neg = ms < 0;
    let ms = ms.unsigned_abs();
    let text = if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else if ms < 3_600_000 {
        format!("{} min {} s", ms / 60_000, ms / 1000 % 60)
    } else if ms < 86_400_000 {
        format!("{} h {} min", ms / 3_600_000, ms / 60_000 % 60)
    } else {
        format!("{} d {} h", ms / 86_400_000, ms / 3_600_000 % 24)
    };
    if neg { format!("-{text}") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_digits_are_what_format_writes() {
        for ms in -70_000..70_000 {
            assert_eq!(format_duration(ms), format_duration_fmt(ms), "{ms}");
        }
        assert_eq!(format_duration(1_250), "1.2 s");
        assert_eq!(format_duration(1_350), "1.4 s");
        assert_eq!(format_duration(59_960), "60.0 s");
        assert_eq!(format_duration(-2_345), "-2.3 s");
    }

    #[test]
    fn utc_digits_are_what_format_writes() {
        let reference = format_utc_fmt;
        let mut ms: i64 = -MAX_MS;
        while ms < MAX_MS {
            assert_eq!(format_utc(ms), reference(ms), "{ms}");
            ms += 77_777_777_777 + ms.rem_euclid(999);
        }
        for ms in [
            0,
            1,
            999,
            1000,
            -1,
            MAX_MS,
            -62_167_219_200_000,
            -62_167_219_200_001,
        ] {
            assert_eq!(format_utc(ms), reference(ms), "{ms}");
        }
    }

    fn ms(s: &str) -> Option<i64> {
        Timestamp::from_text(s).epoch_ms
    }

    #[test]
    fn regression_extreme_numbers_are_not_timestamps() {
        for n in [
            f64::MAX,
            -f64::MAX,
            9.3e18,
            -9.3e18,
            1e17,
            f64::NAN,
            f64::INFINITY,
        ] {
            let t = Timestamp::from_number(n);
            assert_eq!(t.epoch_ms, None, "{n}");
            let _ = t.display();
        }
        assert_eq!(ms("99999999999999999999"), None);
        assert_eq!(ms("-0000-01-01"), None);
        let t = Timestamp::from_number(MAX_MS as f64);
        assert_eq!(t.display(), "9999-12-31 23:59:59.999");
        let _ = format_utc(-MAX_MS);
        assert_eq!(
            format_duration(i64::MIN),
            format!("-{} d 0 h", i64::MIN.unsigned_abs() / 86_400_000).replace(
                " 0 h",
                &format!(" {} h", i64::MIN.unsigned_abs() / 3_600_000 % 24)
            )
        );
    }

    #[test]
    fn iso_forms() {
        assert_eq!(ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(ms("2024-01-01 10:00:00"), Some(1_704_103_200_000));
        assert_eq!(ms("2024-01-01T10:00:00.5Z"), Some(1_704_103_200_500));
        assert_eq!(ms("2024-01-01T12:00:00+02:00"), Some(1_704_103_200_000));
        assert_eq!(ms("2024-01-01T05:30:00-0430"), Some(1_704_103_200_000));
        assert_eq!(ms("2024-01-01"), Some(1_704_067_200_000));
        assert_eq!(ms("2024-01-01 10:00"), Some(1_704_103_200_000));
    }

    #[test]
    fn epochs() {
        assert_eq!(
            Timestamp::from_number(1_704_103_200.0).epoch_ms,
            Some(1_704_103_200_000)
        );
        assert_eq!(
            Timestamp::from_number(1_704_103_200_000.0).epoch_ms,
            Some(1_704_103_200_000)
        );
        assert_eq!(ms("1704103200"), Some(1_704_103_200_000));
    }

    #[test]
    fn garbage_keeps_raw() {
        for g in [
            "",
            "yesterday",
            "2024-13-01",
            "2024-01-01X",
            "2024-01-01T25:00",
            "2024-01-01T10:00:00+5",
        ] {
            let t = Timestamp::from_text(g);
            assert_eq!(t.epoch_ms, None, "{g}");
            assert_eq!(t.display(), g);
        }
    }

    #[test]
    fn formats() {
        assert_eq!(format_utc(1_704_103_200_500), "2024-01-01 10:00:00.500");
        assert_eq!(format_utc(0), "1970-01-01 00:00:00");
        assert_eq!(format_duration(850), "850 ms");
        assert_eq!(format_duration(4200), "4.2 s");
        assert_eq!(format_duration(185_000), "3 min 5 s");
        assert_eq!(format_duration(7_800_000), "2 h 10 min");
    }

    #[test]
    fn roundtrip_days() {
        for d in [-1000, 0, 1, 19_723, 100_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }
}
