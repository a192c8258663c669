//! Normalising `exec_status`, which is declared INTEGER but holds `0`, `1`, `'SUCCESS'`
//! and other text in real RSSDs, to success / failure / unknown, and the final state of
//! a session from its state transitions.
//!
//! The default rule (configurable under `[status]`):
//! - success: the integer `0` and the texts `0`, `success`, `succeeded`, `ok`, `pass`,
//!   `passed`, `completed`, `done` (any case, surrounding space ignored);
//! - failure: any other integer, and the texts `fail`, `failed`, `failure`, `error`,
//!   `err`, `aborted`, `timeout`, or a number other than 0 written as text;
//! - unknown: everything else (NULL, empty, other text, reals, blobs).
//!
//! surveilr's own views count 0 as success; shell conventions make every other exit
//! code a failure.

use serde::{Deserialize, Serialize};

/// What a status means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
    Unknown,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Unknown => "unknown",
        }
    }
}

/// A raw status cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum RawStatus {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(usize),
}

impl RawStatus {
    /// The raw value as shown next to the badge.
    pub fn display(&self) -> String {
        match self {
            RawStatus::Null => "NULL".into(),
            RawStatus::Integer(n) => n.to_string(),
            RawStatus::Real(f) => f.to_string(),
            RawStatus::Text(t) => format!("'{t}'"),
            RawStatus::Blob(n) => format!("BLOB ({n} bytes)"),
        }
    }
}

/// The rule, as configured.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatusRule {
    /// Texts (case-insensitive) that mean success.
    pub success: Vec<String>,
    /// Texts (case-insensitive) that mean failure.
    pub failure: Vec<String>,
    /// Integers other than those listed in `success` mean failure.
    pub nonzero_is_failure: bool,
}

impl Default for StatusRule {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        StatusRule {
            success: v(&[
                "0",
                "success",
                "succeeded",
                "ok",
                "pass",
                "passed",
                "completed",
                "done",
            ]),
            failure: v(&[
                "fail", "failed", "failure", "error", "err", "aborted", "timeout",
            ]),
            nonzero_is_failure: true,
        }
    }
}

/// `n` in decimal (as `to_string` writes it) in `buf`: an `i64` takes at most 20 bytes.
fn decimal(n: i64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    let mut m = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    std::str::from_utf8(&buf[i..]).expect("ASCII digits")
}

impl StatusRule {
    pub fn classify(&self, raw: &RawStatus) -> Outcome {
        let listed = |list: &[String], s: &str| list.iter().any(|x| x.eq_ignore_ascii_case(s));
        match raw {
            RawStatus::Integer(n) => {
                // every execution row is classified: no allocation
                let mut buf = [0u8; 20];
                let s = decimal(*n, &mut buf);
                if listed(&self.success, s) {
                    Outcome::Success
                } else if listed(&self.failure, s) || self.nonzero_is_failure {
                    Outcome::Failure
                } else {
                    Outcome::Unknown
                }
            }
            RawStatus::Text(t) => {
                let s = t.trim();
                if listed(&self.success, s) {
                    Outcome::Success
                } else if listed(&self.failure, s)
                    || (self.nonzero_is_failure && s.parse::<i64>().is_ok_and(|n| n != 0))
                {
                    Outcome::Failure
                } else {
                    Outcome::Unknown
                }
            }
            RawStatus::Null | RawStatus::Real(_) | RawStatus::Blob(_) => Outcome::Unknown,
        }
    }
}

/// Where a session ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum FinalState {
    Completed,
    Failed,
    /// A finish time is recorded but no completed/failed transition.
    Finished,
    /// No final transition, and activity recent relative to the newest in the RSSD.
    Running,
    /// No final transition, and nothing recorded for longer than the configured window.
    Abandoned,
}

impl FinalState {
    pub fn as_str(self) -> &'static str {
        match self {
            FinalState::Completed => "completed",
            FinalState::Failed => "failed",
            FinalState::Finished => "finished",
            FinalState::Running => "running",
            FinalState::Abandoned => "abandoned",
        }
    }
}

/// The meaning of a `to_state` value: `Some(Completed)` for `surveilr_orch_completed` and
/// other words of success, `Some(Failed)` for failure words, `None` for anything else
/// (init, progress, ...).
pub fn terminal_state(to_state: &str) -> Option<FinalState> {
    let s = to_state.to_ascii_lowercase();
    let has = |w: &str| s.contains(w);
    if has("fail") || has("error") || has("abort") {
        Some(FinalState::Failed)
    } else if has("complete") || has("success") || has("succeed") || has("done") || has("finish") {
        Some(FinalState::Completed)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rule() {
        let r = StatusRule::default();
        let c = |v: RawStatus| r.classify(&v);
        assert_eq!(c(RawStatus::Integer(0)), Outcome::Success);
        assert_eq!(c(RawStatus::Integer(1)), Outcome::Failure);
        assert_eq!(c(RawStatus::Integer(-9)), Outcome::Failure);
        assert_eq!(c(RawStatus::Text("SUCCESS".into())), Outcome::Success);
        assert_eq!(c(RawStatus::Text(" ok ".into())), Outcome::Success);
        assert_eq!(c(RawStatus::Text("FAILED".into())), Outcome::Failure);
        assert_eq!(c(RawStatus::Text("2".into())), Outcome::Failure);
        assert_eq!(c(RawStatus::Text("0".into())), Outcome::Success);
        assert_eq!(c(RawStatus::Text("maybe".into())), Outcome::Unknown);
        assert_eq!(c(RawStatus::Null), Outcome::Unknown);
        assert_eq!(c(RawStatus::Real(0.5)), Outcome::Unknown);
    }

    #[test]
    fn integers_are_written_as_to_string_writes_them() {
        let mut buf = [0u8; 20];
        for n in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            1234567890,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            assert_eq!(decimal(n, &mut buf), n.to_string());
        }
    }

    #[test]
    fn configurable() {
        let r = StatusRule {
            success: vec!["1".into(), "yes".into()],
            failure: vec!["0".into()],
            nonzero_is_failure: false,
        };
        assert_eq!(r.classify(&RawStatus::Integer(1)), Outcome::Success);
        assert_eq!(r.classify(&RawStatus::Integer(0)), Outcome::Failure);
        assert_eq!(r.classify(&RawStatus::Integer(7)), Outcome::Unknown);
    }

    #[test]
    fn terminal_states() {
        assert_eq!(
            terminal_state("surveilr_orch_completed"),
            Some(FinalState::Completed)
        );
        assert_eq!(
            terminal_state("surveilr_orch_failed"),
            Some(FinalState::Failed)
        );
        assert_eq!(terminal_state("surveilr_orch_progress"), None);
        assert_eq!(terminal_state("surveilr_orch_init"), None);
    }
}
