//! Orchestration sessions as plain data: the summary every index needs, and the full
//! record of one session (states, entries, executions, issues, logs) that its page tells.
//! Every row keeps what was wrong with it (`flags`), so a bad row is shown and marked,
//! never dropped.

use serde::Serialize;

use super::status::{FinalState, Outcome, RawStatus};
use super::time::Timestamp;

/// A text cell: its value, lossily decoded when it was not UTF-8 or was a BLOB.
pub type Text = Option<String>;

/// What a session index shows about one session.
#[derive(Debug, Clone, Serialize)]
pub struct SessionSummary {
    pub id: String,
    /// rowid in `orchestration_session`, for stable ordering and re-reading.
    #[serde(skip)]
    pub rowid: i64,
    pub nature_id: Text,
    /// `orchestration_nature.nature`, else the nature id.
    pub nature: String,
    pub device_id: Text,
    /// `device.name`, else the device id.
    pub device: String,
    pub version: Text,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub duration_ms: Option<i64>,
    pub final_state: FinalState,
    /// The `to_state` the final state was read from, when one was recorded.
    pub final_state_raw: Option<String>,
    pub exec_total: u64,
    pub exec_ok: u64,
    pub exec_failed: u64,
    pub exec_unknown: u64,
    pub issues: u64,
    /// Newest time anything was recorded for the session (start, finish, transitions).
    pub last_activity_ms: Option<i64>,
    /// Problems with the session row itself.
    pub flags: Vec<String>,
}

/// A state transition.
#[derive(Debug, Clone, Serialize)]
pub struct StateRow {
    pub id: String,
    pub entry_id: Text,
    pub from_state: Text,
    pub to_state: Text,
    pub transition_result: Text,
    pub transition_reason: Text,
    pub transitioned_at: Option<Timestamp>,
    pub elaboration: Text,
    pub flags: Vec<String>,
}

/// A session entry: a file or other source that was ingested or orchestrated.
#[derive(Debug, Clone, Serialize)]
pub struct EntryRow {
    pub id: String,
    pub ingest_src: Text,
    pub ingest_table_name: Text,
    pub elaboration: Text,
    pub flags: Vec<String>,
}

/// A text column of an execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BigField {
    Code,
    Input,
    Error,
    Output,
}

impl BigField {
    /// The column in `orchestration_session_exec`.
    pub fn column(self) -> &'static str {
        match self {
            BigField::Code => "exec_code",
            BigField::Input => "input_text",
            BigField::Error => "exec_error_text",
            BigField::Output => "output_text",
        }
    }
}

/// A text value too large to load whole: its size, line count, start and end were read
/// in pieces; the whole value is copied from the database to its file when written.
#[derive(Debug, Clone, Serialize)]
pub struct BigText {
    pub field: BigField,
    pub rowid: i64,
    pub bytes: u64,
    pub lines: u64,
    pub head: String,
    pub tail: String,
}

/// One execution.
#[derive(Debug, Clone, Serialize)]
pub struct ExecRow {
    pub id: String,
    #[serde(skip)]
    pub rowid: i64,
    pub nature: Text,
    pub session_id: Text,
    pub entry_id: Text,
    pub parent_id: Text,
    pub namespace: Text,
    pub identity: Text,
    pub code: Text,
    #[serde(skip)]
    pub status_raw: RawStatus,
    pub status: Outcome,
    pub input: Text,
    pub error: Text,
    pub output: Text,
    pub output_nature: Text,
    pub narrative_md: Text,
    pub elaboration: Text,
    pub flags: Vec<String>,
    /// Text columns too large to load (their field above holds the start only).
    pub big: Vec<BigText>,
    /// Milliseconds the elaboration says it took, worked out once when first asked
    /// for (the page, the JUnit case and the JSON report all show it).
    #[serde(skip)]
    pub duration: std::sync::OnceLock<Option<i64>>,
}

impl ExecRow {
    /// The large-value record of `field`, when it was too large to load.
    pub fn big(&self, field: BigField) -> Option<&BigText> {
        self.big.iter().find(|b| b.field == field)
    }
}

/// An issue found during the session (V&V writes these).
#[derive(Debug, Clone, Serialize)]
pub struct IssueRow {
    pub id: String,
    pub entry_id: Text,
    pub issue_type: Text,
    pub message: Text,
    pub row: Text,
    pub column: Text,
    pub invalid_value: Text,
    pub remediation: Text,
    pub elaboration: Text,
    pub flags: Vec<String>,
}

/// A relation between two issues.
#[derive(Debug, Clone, Serialize)]
pub struct IssueRelationRow {
    pub id: String,
    pub issue_id_prime: Text,
    pub issue_id_rel: Text,
    pub relationship_nature: Text,
    pub elaboration: Text,
    pub flags: Vec<String>,
}

/// A log line. Its `parent_id` holds a parent log id or an execution id.
#[derive(Debug, Clone, Serialize)]
pub struct LogRow {
    pub id: String,
    #[serde(skip)]
    pub rowid: i64,
    pub category: Text,
    pub parent_id: Text,
    pub content: Text,
    pub sibling_order: Option<i64>,
    pub elaboration: Text,
    pub flags: Vec<String>,
}

/// Everything recorded about one session.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub summary: SessionSummary,
    pub elaboration: Text,
    pub args_json: Text,
    pub diagnostics_json: Text,
    pub diagnostics_md: Text,
    /// In time order (then recording order).
    pub states: Vec<StateRow>,
    pub entries: Vec<EntryRow>,
    /// In recording order (rowid).
    pub execs: Vec<ExecRow>,
    pub issues: Vec<IssueRow>,
    pub issue_relations: Vec<IssueRelationRow>,
    /// Logs whose chain of parents reaches an execution of this session.
    pub logs: Vec<LogRow>,
}
