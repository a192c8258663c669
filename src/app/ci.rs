//! The CI files of a run, fed one session at a time. The JUnit suite and the JSON
//! report of a session are made by [`CiRender::piece`] (in parallel with other
//! sessions); [`CiSink::append`] then adds them in session order, with the statistics
//! for the summary and the exit code.

use std::io::Write;

use anyhow::{Context, Result};
use minijinja::Environment;

use crate::build::ci::report::{Header, ReportWriter, session_bytes};
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

/// What the CI files need of one session, made ahead of time.
pub struct CiPiece {
    junit: Option<String>,
    json: Option<Vec<u8>>,
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
        Ok(CiPiece { junit, json })
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

    /// Adds one reported session, in order.
    pub fn append(
        &mut self,
        session: &Session,
        tree: &Tree,
        stem: &str,
        anchors: &[String],
        piece: CiPiece,
    ) -> Result<()> {
        self.stats.add(session, tree, stem, anchors);
        if let (Some(w), Some(x)) = (&mut self.junit, piece.junit) {
            w.write_all(x.as_bytes()).context("writing JUnit XML")?;
        }
        if let (Some(r), Some(j)) = (&mut self.report, piece.json) {
            r.session(&j).context("writing the JSON report")?;
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
