//! Driving the sessions through the pipeline: loaded in order in chunks (bounded by a
//! number of executions, so memory follows the chunk, not the RSSD), each chunk's
//! sessions built and rendered on all cores, then committed in order. What is
//! committed — files, CI pieces, warnings — is the same, byte for byte, whatever the
//! number of threads.

use anyhow::{Context, Result};
use rayon::prelude::*;
use rusqlite::Connection;

use crate::build::sessions::exec_anchors;
use crate::model::session::Session;
use crate::model::tree::{self, Tree};
use crate::read::sessions::SessionIndex;

/// A session ready to build: read, its tree, its execution anchors.
pub struct Loaded {
    /// Index into `SessionIndex::summaries`.
    pub i: usize,
    /// Position in the order the sessions are processed in.
    pub k: usize,
    pub session: Session,
    pub tree: Tree,
    pub anchors: Vec<String>,
}

/// Executions loaded at once before they are processed.
pub const CHUNK_EXECS: u64 = 6_000;
/// Sessions loaded at once before they are processed.
pub const CHUNK_SESSIONS: usize = 256;

/// Reads session `i` and builds its tree.
pub fn load(
    conn: &Connection,
    index: &SessionIndex,
    db: &str,
    i: usize,
    k: usize,
) -> Result<Loaded> {
    let s = &index.summaries[i];
    let session = index
        .load(conn, i)
        .with_context(|| format!("reading session '{}' of {db}", s.id))?;
    let tree = tree::build(
        &session.execs,
        &super::foreign_parents(index, conn, &session),
    );
    let anchors = exec_anchors(&session);
    Ok(Loaded {
        i,
        k,
        session,
        tree,
        anchors,
    })
}

/// The chunks `order` is processed in: consecutive sessions up to [`CHUNK_EXECS`]
/// executions or [`CHUNK_SESSIONS`] sessions (at least one session each).
fn chunks(index: &SessionIndex, order: &[usize]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < order.len() {
        let mut end = k;
        let mut execs = 0u64;
        while end < order.len()
            && end - k < CHUNK_SESSIONS
            && (end == k || execs + index.summaries[order[end]].exec_total <= CHUNK_EXECS)
        {
            execs += index.summaries[order[end]].exec_total;
            end += 1;
        }
        out.push(k..end);
        k = end;
    }
    out
}

/// Processes the sessions `order` (indices into the summaries): `work` runs on all
/// cores, `commit` in order, with the result of `work` for the same session. Three
/// chunks are in flight: while one is worked on (all cores) and the one before it is
/// committed (one of them), this thread reads the next one from the database.
/// `alongside` runs on the cores while the first chunk is read (they would wait for it
/// otherwise), and on with the first chunks' work if it takes longer.
pub fn for_each<R: Send>(
    conn: &Connection,
    index: &SessionIndex,
    db: &str,
    order: &[usize],
    alongside: impl FnOnce() -> Result<()> + Send,
    work: impl Fn(&Loaded) -> Result<R> + Sync,
    mut commit: impl FnMut(&Loaded, R) -> Result<()> + Send,
) -> Result<()> {
    let mut pending: Option<(Vec<Loaded>, Vec<Result<R>>)> = None;
    let mut commit_all = |done: Option<(Vec<Loaded>, Vec<Result<R>>)>| -> Result<()> {
        if let Some((loaded, results)) = done {
            for (l, r) in loaded.iter().zip(results) {
                commit(l, r?)?;
            }
        }
        Ok(())
    };
    let load_chunk = |range: std::ops::Range<usize>| -> Result<Vec<Loaded>> {
        range
            .map(|kk| load(conn, index, db, order[kk], kk))
            .collect()
    };
    let mut ranges = chunks(index, order).into_iter();
    let mut aside = None;
    let sessions = rayon::in_place_scope(|outer| -> Result<()> {
        outer.spawn(|_| aside = Some(alongside()));
        let mut current = ranges.next().map(load_chunk).transpose()?;
        while let Some(loaded) = current.take() {
            let previous = pending.take();
            let next_range = ranges.next();
            let mut done = None;
            let mut next = None;
            rayon::in_place_scope(|s| {
                s.spawn(|_| {
                    done = Some(rayon::join(
                        || loaded.par_iter().map(&work).collect::<Vec<_>>(),
                        || commit_all(previous),
                    ));
                });
                // on this thread, not in the pool: the connection stays here
                next = next_range.map(load_chunk);
            });
            let (results, committed) = done.expect("the scope ran the work");
            committed?;
            current = next.transpose()?;
            pending = Some((loaded, results));
        }
        commit_all(pending)
    });
    aside.expect("the scope ran it")?;
    sessions
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn index_of(sessions: usize) -> (tempfile::TempDir, Connection, SessionIndex) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("rssd.sqlite.db");
        crate::synth::generate(
            &db,
            &crate::synth::GenOptions {
                sessions,
                execs_per_session: 3,
                output_bytes: 40,
                ..Default::default()
            },
        )
        .unwrap();
        let conn = crate::read::open_read_only(&db).unwrap();
        let index = SessionIndex::read(&conn, &Default::default(), i64::MAX).unwrap();
        (dir, conn, index)
    }

    #[test]
    fn work_alongside_runs_and_sessions_are_committed_in_order() {
        let (_dir, conn, index) = index_of(5);
        let order: Vec<usize> = (0..5).rev().collect();
        let ran = AtomicBool::new(false);
        let committed = Mutex::new(Vec::new());
        for_each(
            &conn,
            &index,
            "db",
            &order,
            || {
                ran.store(true, Ordering::SeqCst);
                Ok(())
            },
            |l| Ok(l.session.execs.len()),
            |l, n| {
                committed.lock().unwrap().push((l.i, n));
                Ok(())
            },
        )
        .unwrap();
        assert!(ran.load(Ordering::SeqCst));
        let want: Vec<(usize, usize)> = order.iter().map(|&i| (i, 3)).collect();
        assert_eq!(*committed.lock().unwrap(), want);
    }

    #[test]
    fn a_failure_alongside_fails_the_whole() {
        let (_dir, conn, index) = index_of(2);
        let err = for_each(
            &conn,
            &index,
            "db",
            &[0, 1],
            || anyhow::bail!("the index pages failed"),
            |_| Ok(()),
            |_, ()| Ok(()),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "the index pages failed");
    }
}
