//! The CI files of a run, fed one session at a time. The JUnit suite and the JSON
//! report of a session are made by [`CiRender::piece`] (in parallel with other
//! sessions); [`CiSink::append`] then adds them in session order, with the statistics
//! for the summary and the exit code.

use std::io::Write;

use anyhow::{Context, Result};
use minijinja::Environment;

use crate::build::ci::report::{Header, ReportWriter, session_bytes, write_session};
use crate::build::ci::summary::{self, SummaryOptions};
use crate::build::ci::{FailOn, Selection, Stats, junit};
use crate::build::text::Limits;
use crate::model::session::{Session, SessionSummary};
use crate::model::tree::Tree;
use crate::render::templates::describe_error;

pub(crate) fn render(
    env: &Environment<'static>,
    name: &str,
    ctx: &impl serde::Serialize,
) -> Result<String> {
    env.get_template(name)
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(ctx))))
        .map_err(|e| anyhow::anyhow!("rendering template {name}: {}", describe_error(&e)))
}

/// What the CI files need of one session.
pub enum CiPiece {
    /// Made ahead of time, in parallel with other sessions.
    Made {
        junit: Option<String>,
        json: Option<Vec<u8>>,
    },
    /// Made when the session is appended and streamed to the files as it is made: the
    /// JUnit suite and report entry of a long session are never held whole.
    Streamed { suite_id: usize },
}

/// Makes [`CiPiece`]s; shareable between threads.
pub struct CiRender<'e> {
    pub env: &'e Environment<'static>,
    pub limits: Limits,
    pub sessions_dir: String,
    pub junit: bool,
    pub json: bool,
}

impl CiRender<'_> {
    /// The JUnit suite (number `suite_id`) and the JSON of one reported session.
    pub fn piece(
        &self,
        suite_id: usize,
        session: &Session,
        tree: &Tree,
        stem: &str,
        anchors: &[String],
    ) -> Result<CiPiece> {
        let junit = if self.junit {
            let suite = junit::suite(suite_id, session, tree);
            Some(render(self.env, "xml/junit-suite.xml", &suite.context())?)
        } else {
            None
        };
        let json = if self.json {
            Some(session_bytes(
                session,
                tree,
                stem,
                anchors,
                &self.limits,
                &self.sessions_dir,
            )?)
        } else {
            None
        };
        Ok(CiPiece::Made { junit, json })
    }

    /// A piece to be made by [`CiSink::append`], streaming (for long sessions).
    pub fn streamed(&self, suite_id: usize) -> CiPiece {
        CiPiece::Streamed { suite_id }
    }
}

/// Where the CI outputs go.
pub struct CiSink<'e> {
    env: &'e Environment<'static>,
    pub stats: Stats,
    junit: Option<Box<dyn Write + Send + 'e>>,
    report: Option<ReportWriter<Box<dyn Write + Send + 'e>>>,
}

impl<'e> CiSink<'e> {
    /// `selected` are the summaries of the reported sessions (for the totals up front).
    pub fn new(
        env: &'e Environment<'static>,
        title: &str,
        selected: &[&SessionSummary],
        junit_out: Option<Box<dyn Write + Send + 'e>>,
        report_out: Option<(Box<dyn Write + Send + 'e>, &Header<'_>)>,
    ) -> Result<CiSink<'e>> {
        let owned: Vec<SessionSummary> = selected.iter().map(|s| (*s).clone()).collect();
        let junit = match junit_out {
            Some(mut w) => {
                let head = junit::head(title, &owned);
                w.write_all(render(env, "xml/junit-head.xml", &head)?.as_bytes())
                    .context("writing JUnit XML")?;
                Some(w)
            }
            None => None,
        };
        let report = match report_out {
            Some((w, header)) => Some(ReportWriter::new(w, header)?),
            None => None,
        };
        Ok(CiSink {
            env,
            stats: Stats::default(),
            junit,
            report,
        })
    }

    /// Executions per session page, so links to failures land on the right part.
    pub fn set_page_execs(&mut self, n: usize) {
        self.stats.page_execs = n;
    }

    /// A renderer for pieces matching this sink's outputs.
    pub fn renderer(&self, limits: Limits, sessions_dir: &str) -> CiRender<'e> {
        CiRender {
            env: self.env,
            limits,
            sessions_dir: sessions_dir.to_string(),
            junit: self.junit.is_some(),
            json: self.report.is_some(),
        }
    }

    /// Adds one reported session, in order; a [`CiPiece::Streamed`] is made now, by
    /// `render`, straight into the files.
    pub fn append(
        &mut self,
        render: &CiRender<'_>,
        session: &Session,
        tree: &Tree,
        stem: &str,
        anchors: &[String],
        piece: CiPiece,
    ) -> Result<()> {
        self.stats.add(session, tree, stem, anchors);
        match piece {
            CiPiece::Made { junit, json } => {
                if let (Some(w), Some(x)) = (&mut self.junit, junit) {
                    w.write_all(x.as_bytes()).context("writing JUnit XML")?;
                }
                if let (Some(r), Some(j)) = (&mut self.report, json) {
                    r.session(&j).context("writing the JSON report")?;
                }
            }
            CiPiece::Streamed { suite_id } => {
                if let Some(w) = &mut self.junit {
                    let suite = junit::suite(suite_id, session, tree);
                    let name = "xml/junit-suite.xml";
                    self.env
                        .get_template(name)
                        .and_then(|t| t.render_captured_to(suite.context(), &mut *w).map(drop))
                        .map_err(|e| {
                            anyhow::anyhow!("rendering template {name}: {}", describe_error(&e))
                        })
                        .context("writing JUnit XML")?;
                }
                if let Some(r) = &mut self.report {
                    let w = r.begin_session().context("writing the JSON report")?;
                    let mut buf = Vec::new();
                    let (limits, dir) = (&render.limits, render.sessions_dir.as_str());
                    write_session(session, tree, stem, anchors, limits, dir, &mut buf, |b| {
                        w.write_all(b)?;
                        b.clear();
                        Ok(())
                    })
                    .context("writing the JSON report")?;
                }
            }
        }
        Ok(())
    }

    /// Closes the streams and renders the summary. Returns the summary and the failing
    /// conditions.
    pub fn finish(
        self,
        fail_on: &[FailOn],
        opts: &SummaryOptions<'_>,
    ) -> Result<(String, Vec<String>)> {
        let failing = self.stats.failing(fail_on);
        if let Some(mut w) = self.junit {
            w.write_all(render(self.env, "xml/junit-tail.xml", &())?.as_bytes())?;
            w.flush().context("writing JUnit XML")?;
        }
        if let Some(r) = self.report {
            r.finish(&failing, u8::from(!failing.is_empty()))
                .context("writing the JSON report")?;
        }
        let opts = SummaryOptions {
            failing: &failing,
            ..*opts
        };
        let text = summary::build(&self.stats, &opts, |page| {
            render(self.env, "md/ci/summary.md", page)
        })?;
        Ok((text, failing))
    }
}

/// Parses `--fail-on` values.
pub fn fail_on(values: &[String]) -> Result<Vec<FailOn>> {
    values.iter().map(|v| FailOn::parse(v)).collect()
}

/// The selection of `--session`, `--latest`, `--since`, `--nature`.
pub fn selection(o: &crate::cli::CiOptions) -> Result<Selection> {
    Selection::new(&o.sessions, o.latest, o.since.as_deref(), &o.natures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::ci::report::{Database, Generator, SelectionOut};
    use std::sync::{Arc, Mutex};

    /// A writer into bytes the test reads afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// JUnit XML and JSON report of the two sessions, made ahead of time or, with
    /// `stream`, made while appended.
    fn files(stream: bool) -> (String, String) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("rssd.sqlite.db");
        // outputs of 5 KB: a 400-execution session's report entry passes the 1 MB at
        // which a streamed entry is handed on
        crate::synth::generate(
            &db,
            &crate::synth::GenOptions {
                sessions: 2,
                execs_per_session: 400,
                output_bytes: 5000,
                ..Default::default()
            },
        )
        .unwrap();
        let conn = crate::read::open_read_only(&db).unwrap();
        let index = crate::read::sessions::SessionIndex::read(&conn, &Default::default(), i64::MAX)
            .unwrap();
        let env = crate::render::templates::environment(None).unwrap();
        let (junit, json) = (Shared::default(), Shared::default());
        let totals = crate::build::sessions::Totals::default();
        let header = Header {
            schema_version: 1,
            generator: Generator {
                name: "osx-report",
                version: "test",
            },
            database: Database {
                file: "rssd.sqlite.db",
                size_bytes: 0,
                sqlite_version: "3",
            },
            selection: SelectionOut {
                all: true,
                session_ids: &[],
                latest: false,
                since_epoch_ms: None,
                natures: &[],
            },
            totals: &totals,
        };
        let selected: Vec<&SessionSummary> = index.summaries.iter().collect();
        let mut sink = CiSink::new(
            &env,
            "run",
            &selected,
            Some(Box::new(junit.clone())),
            Some((Box::new(json.clone()), &header)),
        )
        .unwrap();
        let render = sink.renderer(Limits::default(), "sessions");
        for i in 0..index.summaries.len() {
            let l = crate::app::sessions::load(&conn, &index, "db", i, i).unwrap();
            let stem = format!("s{i}");
            let piece = if stream {
                render.streamed(i)
            } else {
                render
                    .piece(i, &l.session, &l.tree, &stem, &l.anchors)
                    .unwrap()
            };
            sink.append(&render, &l.session, &l.tree, &stem, &l.anchors, piece)
                .unwrap();
        }
        sink.finish(
            &[],
            &summary::SummaryOptions {
                title: "run",
                site_url: None,
                budget: 1 << 20,
                failing: &[],
                sessions_dir: "sessions",
            },
        )
        .unwrap();
        let text = |s: Shared| String::from_utf8(s.0.lock().unwrap().clone()).unwrap();
        (text(junit), text(json))
    }

    #[test]
    fn streamed_pieces_write_what_pieces_made_ahead_write() {
        let (junit, json) = files(false);
        assert_eq!(junit.matches("<testsuite ").count(), 2);
        assert_eq!(junit.matches("<testcase ").count(), 800);
        let report: serde_json::Value = serde_json::from_str(&json).unwrap();
        let sessions = report["sessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions[1]["executions"].as_array().unwrap().len(), 400);
        for s in sessions {
            let n = serde_json::to_string(s).unwrap().len();
            assert!(
                n > 1 << 20,
                "a session of {n} bytes is not streamed in pieces"
            );
        }
        let (s_junit, s_json) = files(true);
        assert!(s_junit == junit, "the streamed JUnit XML differs");
        assert!(s_json == json, "the streamed JSON report differs");
    }
}
