//! The manifest of a built site (kept in its `.osx-report` marker file): what the site
//! was built from, so a rebuild can tell what changed.
//!
//! How a rebuild decides:
//! 1. When the database file is unchanged (same size, modification time and SQLite
//!    change counter, and the same `-wal` file if any), the settings are the same
//!    (configuration, tbls file, template overrides, flags, osx-report version) and every
//!    file of the previous site is still there, nothing is read and nothing is written.
//! 2. Otherwise every session is read, and a session whose content (all its rows), file
//!    name, neighbours and settings hash to the same fingerprint as before keeps its
//!    pages: they are hard-linked from the previous site, not rendered again.
//! 3. Every other file is rendered; one whose bytes equal the previous one is also kept
//!    by a hard link. So a file is rewritten only when its content changed.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

use crate::model::session::Session;
use crate::model::status::RawStatus;

/// What a site was built from and what it holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub note: String,
    pub generator: String,
    pub settings: u64,
    pub database: Option<DbFingerprint>,
    /// The `--fail-on` conditions that held.
    pub failing: Vec<String>,
    /// Every file of the site.
    pub files: Vec<String>,
    /// Per session id: its fingerprint and its files.
    pub sessions: BTreeMap<String, SessionEntry>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionEntry {
    pub fingerprint: u64,
    pub files: Vec<String>,
}

/// The identity of a database file's contents without reading them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DbFingerprint {
    pub size: u64,
    pub modified_ns: u128,
    /// Bytes 24..28 and 92..100 of the header: change counter, version-valid-for, version.
    pub header: Vec<u8>,
    pub wal_size: Option<u64>,
    pub wal_modified_ns: Option<u128>,
}

fn modified_ns(m: &std::fs::Metadata) -> u128 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

impl DbFingerprint {
    pub fn of(db: &Path) -> Option<DbFingerprint> {
        let m = std::fs::metadata(db).ok()?;
        let mut header = [0u8; 100];
        std::fs::File::open(db).ok()?.read_exact(&mut header).ok()?;
        let wal = db.with_file_name(format!("{}-wal", db.file_name()?.to_string_lossy()));
        let wm = std::fs::metadata(&wal).ok();
        Some(DbFingerprint {
            size: m.len(),
            modified_ns: modified_ns(&m),
            header: [&header[24..28], &header[92..100]].concat(),
            wal_size: wm.as_ref().map(std::fs::Metadata::len),
            wal_modified_ns: wm.as_ref().map(modified_ns),
        })
    }
}

impl Manifest {
    pub fn parse(bytes: &[u8]) -> Option<Manifest> {
        serde_json::from_slice(bytes).ok()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("manifests serialize");
        v.push(b'\n');
        v
    }

    /// True when a rebuild would produce exactly this site.
    pub fn unchanged(&self, settings: u64, db: &Option<DbFingerprint>, out: &Path) -> bool {
        self.generator == generator()
            && self.settings == settings
            && db.is_some()
            && &self.database == db
            && self.files.iter().all(|f| out.join(f).is_file())
    }
}

/// `osx-report X.Y.Z`.
pub fn generator() -> String {
    format!("osx-report {}", env!("CARGO_PKG_VERSION"))
}

/// A hasher for fingerprints.
pub fn hasher() -> Xxh3 {
    Xxh3::new()
}

/// Hashes the files of a folder (template overrides): names and contents.
pub fn hash_folder(h: &mut Xxh3, dir: &Path) {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .collect();
    files.sort_by(|a, b| a.path().cmp(b.path()));
    for f in files {
        f.path().hash(h);
        std::fs::read(f.path()).unwrap_or_default().hash(h);
    }
}

fn status(h: &mut Xxh3, s: &RawStatus) {
    match s {
        RawStatus::Null => 0u8.hash(h),
        RawStatus::Integer(n) => (1u8, n).hash(h),
        RawStatus::Real(f) => (2u8, f.to_bits()).hash(h),
        RawStatus::Text(t) => (3u8, t).hash(h),
        RawStatus::Blob(n) => (4u8, n).hash(h),
    }
}

/// The fingerprint of everything recorded about a session.
pub fn session_fingerprint(s: &Session, extra: impl Hash) -> u64 {
    let mut h = hasher();
    extra.hash(&mut h);
    // The summary is plain data; its Debug form covers every field.
    format!("{:?}", s.summary).hash(&mut h);
    (
        &s.elaboration,
        &s.args_json,
        &s.diagnostics_json,
        &s.diagnostics_md,
    )
        .hash(&mut h);
    for st in &s.states {
        (
            &st.id,
            &st.entry_id,
            &st.from_state,
            &st.to_state,
            &st.transition_result,
        )
            .hash(&mut h);
        (
            &st.transition_reason,
            st.transitioned_at.as_ref().map(|t| &t.raw),
            &st.elaboration,
            &st.flags,
        )
            .hash(&mut h);
    }
    for e in &s.entries {
        (
            &e.id,
            &e.ingest_src,
            &e.ingest_table_name,
            &e.elaboration,
            &e.flags,
        )
            .hash(&mut h);
    }
    for e in &s.execs {
        (
            &e.id,
            &e.nature,
            &e.session_id,
            &e.entry_id,
            &e.parent_id,
            &e.namespace,
        )
            .hash(&mut h);
        (
            &e.identity,
            &e.code,
            &e.input,
            &e.error,
            &e.output,
            &e.output_nature,
        )
            .hash(&mut h);
        (&e.narrative_md, &e.elaboration, &e.flags).hash(&mut h);
        for b in &e.big {
            (b.bytes, b.lines, &b.tail).hash(&mut h);
        }
        status(&mut h, &e.status_raw);
    }
    for i in &s.issues {
        (
            &i.id,
            &i.entry_id,
            &i.issue_type,
            &i.message,
            &i.row,
            &i.column,
        )
            .hash(&mut h);
        (&i.invalid_value, &i.remediation, &i.elaboration, &i.flags).hash(&mut h);
    }
    for r in &s.issue_relations {
        (
            &r.id,
            &r.issue_id_prime,
            &r.issue_id_rel,
            &r.relationship_nature,
            &r.elaboration,
        )
            .hash(&mut h);
    }
    for l in &s.logs {
        (
            &l.id,
            &l.category,
            &l.parent_id,
            &l.content,
            l.sibling_order,
            &l.elaboration,
            &l.flags,
        )
            .hash(&mut h);
    }
    h.finish()
}
