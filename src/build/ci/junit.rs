//! JUnit XML: a `testsuite` per session, a `testcase` per execution (classname from
//! nature and namespace, name from identity or the first line of the code), `failure`
//! with the error text, `skipped` for a status that is neither success nor failure,
//! `system-out` with the output (bounded), times from durations. The shape follows the
//! JUnit schema Jenkins and GitLab read; the markup is in `xml/junit-*.xml` templates,
//! and text goes through the `xmltext` filter (no characters XML 1.0 forbids).

use std::borrow::Cow;

use serde::Serialize;

use crate::build::exec::{duration_ms, title};
use crate::model::session::Session;
use crate::model::status::Outcome;
use crate::model::tree::Tree;

/// Bytes of output kept in `system-out`.
pub const MAX_SYSTEM_OUT: usize = 16 * 1024;

#[derive(Serialize)]
/// A test case; every text is already XML-safe ([`xml_text`]).
pub struct Case<'a> {
    // in the order the template looks them up (minijinja scans a struct's fields)
    pub classname: String,
    pub name: String,
    pub time: String,
    pub outcome: &'static str,
    pub system_out: Cow<'a, str>,
    pub message: String,
    pub kind: String,
    pub error: Cow<'a, str>,
}

#[derive(Serialize)]
pub struct Suite<'a> {
    pub id: usize,
    pub name: String,
    pub package: String,
    pub hostname: String,
    pub timestamp: String,
    pub time: String,
    pub tests: usize,
    pub failures: usize,
    pub skipped: usize,
    pub properties: Vec<(&'static str, String)>,
    /// Given to the template as [`CaseObject`]s (see [`Suite::context`]).
    #[serde(skip)]
    pub cases: Vec<Case<'a>>,
}

crate::fields_object!(CaseObject for Case<'_> {
    classname, name, time, outcome, system_out, message, kind, error
} nested {});

impl Suite<'_> {
    /// The template context: the suite's fields, and its cases as objects (a suite has
    /// one per execution, each read several times).
    pub fn context(&self) -> minijinja::Value {
        let cases: Vec<minijinja::Value> = self.cases.iter().map(CaseObject::value).collect();
        minijinja::context! {
            cases => cases,
            ..minijinja::Value::from(minijinja::value::Serde(self))
        }
    }
}

/// Opening element counts for all suites.
#[derive(Serialize)]
pub struct Head<'a> {
    pub name: &'a str,
    pub tests: u64,
    pub failures: u64,
    pub skipped: u64,
    pub time: String,
}

/// Milliseconds as seconds with three decimals (`1.830`); negative ones as zero.
fn seconds(ms: Option<i64>) -> String {
    let ms = ms.unwrap_or(0).max(0);
    // one per test case: digits, not float formatting, where the two agree (the
    // float's error stays far below half a millisecond)
    if ms < 1 << 40 {
        let mut s = (ms / 1000).to_string();
        let frac = ms % 1000;
        s.push('.');
        s.push(char::from(b'0' + (frac / 100) as u8));
        s.push(char::from(b'0' + (frac / 10 % 10) as u8));
        s.push(char::from(b'0' + (frac % 10) as u8));
        s
    } else {
        format!("{:.3}", ms as f64 / 1000.0)
    }
}

/// `YYYY-MM-DDTHH:MM:SS` (the schema's timestamp has no zone; it is UTC).
fn timestamp(ms: Option<i64>) -> String {
    ms.map(|ms| crate::model::time::format_utc(ms - ms.rem_euclid(1000)).replace(' ', "T"))
        .unwrap_or_else(|| "1970-01-01T00:00:00".into())
}

/// At most `max` bytes of `s` with a note of what is left out, or `None` when `s` is
/// short enough; `total` is the size of the whole value when `s` is only its start.
fn bounded(s: &str, max: usize, total: Option<u64>) -> Option<String> {
    let total = total.unwrap_or(s.len() as u64);
    if s.len() <= max && total == s.len() as u64 {
        return None;
    }
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Some(format!(
        "{}\n… {} more bytes; the whole output is in the site",
        &s[..end],
        total - end as u64
    ))
}

/// The suite of one session.
pub fn suite<'a>(id: usize, session: &'a Session, tree: &Tree) -> Suite<'a> {
    let s = &session.summary;
    let mut cases = Vec::with_capacity(session.execs.len());
    let (mut failures, mut skipped) = (0, 0);
    for &(i, _) in &tree.order {
        let e = &session.execs[i];
        let mut classname = e.nature.as_deref().unwrap_or("execution").to_string();
        if let Some(ns) = e.namespace.as_deref().filter(|n| !n.is_empty()) {
            classname.push('.');
            classname.push_str(ns);
        }
        let name = title(e);
        let error = e.error.as_deref().unwrap_or("");
        let (outcome, message, kind) = match e.status {
            Outcome::Success => ("passed", String::new(), String::new()),
            Outcome::Failure => {
                failures += 1;
                let first = error.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                (
                    "failed",
                    if first.is_empty() {
                        format!("exec_status = {}", e.status_raw.display())
                    } else {
                        first.chars().take(200).collect()
                    },
                    format!("exec_status={}", e.status_raw.display()),
                )
            }
            Outcome::Unknown => {
                skipped += 1;
                (
                    "skipped",
                    format!(
                        "exec_status {} is neither a success nor a failure value",
                        e.status_raw.display()
                    ),
                    String::new(),
                )
            }
        };
        cases.push(Case {
            classname: xml_owned(classname),
            name: xml_owned(name),
            time: seconds(duration_ms(e)),
            outcome,
            message: xml_owned(message),
            kind: xml_owned(kind),
            error: xml_safe(error),
            system_out: {
                let out = crate::render::ansi::strip_cow(e.output.as_deref().unwrap_or(""));
                let total = e
                    .big(crate::model::session::BigField::Output)
                    .map(|b| b.bytes);
                match bounded(&out, MAX_SYSTEM_OUT, total) {
                    None => match out {
                        Cow::Borrowed(b) => xml_safe(b),
                        Cow::Owned(o) => Cow::Owned(xml_text(&o)),
                    },
                    Some(cut) => Cow::Owned(xml_text(&cut)),
                }
            },
        });
    }
    let mut properties = vec![
        ("session_id", xml_text(&s.id)),
        ("final_state", s.final_state.as_str().to_string()),
    ];
    if let Some(v) = &s.version {
        properties.push(("version", xml_text(v)));
    }
    if let Some(r) = &s.final_state_raw {
        properties.push(("final_state_raw", xml_text(r)));
    }
    Suite {
        id,
        name: xml_text(&format!("{} ({})", s.id, s.nature)),
        package: xml_text(&s.nature),
        hostname: xml_text(&s.device),
        timestamp: timestamp(s.started_at.as_ref().and_then(|t| t.epoch_ms)),
        time: seconds(s.duration_ms),
        tests: cases.len(),
        failures,
        skipped,
        properties,
        cases,
    }
}

/// The opening of the document.
pub fn head<'a>(name: &'a str, sessions: &[crate::model::session::SessionSummary]) -> Head<'a> {
    Head {
        name,
        tests: sessions.iter().map(|s| s.exec_total).sum(),
        failures: sessions.iter().map(|s| s.exec_failed).sum(),
        skipped: sessions.iter().map(|s| s.exec_unknown).sum(),
        time: seconds(Some(
            sessions
                .iter()
                .filter_map(|s| s.duration_ms)
                .map(|d| d.max(0))
                .sum(),
        )),
    }
}

/// Text as XML 1.0 allows it: characters it forbids (controls other than tab, line
/// feed and carriage return; U+FFFE, U+FFFF) become U+FFFD. Escaping is the template's.
pub fn xml_text(s: &str) -> String {
    xml_safe(s).into_owned()
}

/// As [`xml_text`], keeping `s` when nothing needs replacing.
fn xml_owned(s: String) -> String {
    let replaced = match xml_safe(&s) {
        Cow::Borrowed(_) => None,
        Cow::Owned(o) => Some(o),
    };
    replaced.unwrap_or(s)
}

/// As [`xml_text`], borrowing when nothing needs replacing.
pub fn xml_safe(s: &str) -> Cow<'_, str> {
    // One pass over the bytes: control characters, and U+FFFE / U+FFFF
    // (EF BF BE / EF BF BF in UTF-8).
    let b = s.as_bytes();
    // a branch-free first look (vectorised), then the exact one on the rare hit
    let odd = |c: u8| (c < 0x20 && c != b'\t' && c != b'\n' && c != b'\r') | (c == 0xEF);
    if !crate::render::escape::any_byte(b, odd) {
        return Cow::Borrowed(s);
    }
    let clean = b.iter().enumerate().all(|(i, &c)| match c {
        b'\t' | b'\n' | b'\r' => true,
        0..=0x1f => false,
        0xEF => !(b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF))),
        _ => true,
    });
    if clean {
        return Cow::Borrowed(s);
    }
    Cow::Owned(xml_replace(s))
}

fn xml_replace(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 => '\u{FFFD}',
            '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_replaced() {
        assert_eq!(
            xml_text("a\u{0}b\u{1b}[31mc\td\u{FFFF}"),
            "a\u{FFFD}b\u{FFFD}[31mc\td\u{FFFD}"
        );
    }

    #[test]
    fn xml_safe_borrows_clean_text_and_catches_each_forbidden_code_point() {
        for clean in [
            "",
            "plain",
            "tab\tnl\ncr\r",
            "é ü 日本 \u{FFFD} \u{FFFD}x",
            "\u{EFFF}",
        ] {
            assert!(matches!(xml_safe(clean), Cow::Borrowed(_)), "{clean:?}");
        }
        for (dirty, want) in [
            ("\u{FFFE}", "\u{FFFD}"),
            ("x\u{FFFF}", "x\u{FFFD}"),
            ("\u{1f}", "\u{FFFD}"),
            ("a\u{0}", "a\u{FFFD}"),
        ] {
            assert_eq!(xml_safe(dirty), want);
        }
    }

    #[test]
    fn cases_reach_the_template_as_their_serialised_fields() {
        let c = Case {
            classname: "shell.ns".into(),
            name: "step <1>".into(),
            time: "0.100".into(),
            outcome: "failed",
            system_out: Cow::Borrowed("out & more"),
            message: "boom".into(),
            kind: "exec_status=1".into(),
            error: Cow::Owned("e".into()),
        };
        assert!(crate::render::object::same_as_serialised(
            &CaseObject::value(&c),
            &c
        ));
    }

    #[test]
    fn timestamps_have_no_zone() {
        assert_eq!(timestamp(Some(1_704_103_200_500)), "2024-01-01T10:00:00");
        assert_eq!(seconds(Some(1830)), "1.830");
        assert_eq!(seconds(Some(-5)), "0.000");
        assert_eq!(seconds(None), "0.000");
        // the digits are what float formatting writes
        let mut ms: i64 = 0;
        while ms < 1 << 41 {
            assert_eq!(
                seconds(Some(ms)),
                format!("{:.3}", ms as f64 / 1000.0),
                "{ms}"
            );
            ms = ms * 3 / 2 + 7;
        }
        for ms in [
            0,
            1,
            9,
            10,
            99,
            100,
            999,
            1000,
            1001,
            59_999,
            (1 << 40) - 1,
            1 << 40,
        ] {
            assert_eq!(
                seconds(Some(ms)),
                format!("{:.3}", ms as f64 / 1000.0),
                "{ms}"
            );
        }
    }
}
