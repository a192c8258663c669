//! Command-line arguments (clap derive structs only).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Turns a surveilr RSSD (SQLite) into schema docs, execution narratives and CI reports.
#[derive(Debug, Parser)]
#[command(name = "osx-report", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site (HTML, Markdown, SVG, JSON) from a database, read-only.
    Build(BuildArgs),
    /// Write only the CI files (job summary, JUnit XML, JSON report), or print the summary.
    Ci(CiArgs),
    /// Write the default templates into a folder, to edit and pass as --templates.
    Templates(TemplatesArgs),
    /// Generate a synthetic RSSD for benchmarks and tests (deterministic for a seed).
    #[command(hide = true)]
    GenRssd(GenArgs),
}

#[derive(Debug, Args)]
pub struct GenArgs {
    /// The file to create (must not exist).
    pub out: PathBuf,
    #[arg(long, default_value_t = 100)]
    pub sessions: usize,
    #[arg(long, default_value_t = 100)]
    pub execs_per_session: usize,
    /// Bytes of output per execution.
    #[arg(long, default_value_t = 300)]
    pub output_bytes: usize,
    /// Number of huge outputs, spread over the sessions.
    #[arg(long, default_value_t = 0)]
    pub huge_outputs: usize,
    /// Bytes of each huge output.
    #[arg(long, default_value_t = 1 << 20)]
    pub huge_bytes: usize,
    /// Failed executions per thousand.
    #[arg(long, default_value_t = 100)]
    pub failures_per_mille: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Which sessions the CI files report, and when the run fails.
#[derive(Debug, Args, Clone, Default)]
pub struct CiOptions {
    /// Report only this session (repeatable).
    #[arg(long = "session", value_name = "ID")]
    pub sessions: Vec<String>,
    /// Report only the newest session.
    #[arg(long)]
    pub latest: bool,
    /// Report only sessions started at or after this time (ISO 8601, e.g. 2026-11-30T08:00Z).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Report only sessions of this nature (repeatable).
    #[arg(long = "nature", value_name = "NATURE")]
    pub natures: Vec<String>,
    /// Exit with code 1 when this holds for the reported sessions (repeatable):
    /// failed-executions, failed-sessions, unfinished-sessions, unknown-executions,
    /// issues, or issues:TYPE[,TYPE...].
    #[arg(long = "fail-on", value_name = "CONDITION")]
    pub fail_on: Vec<String>,
    /// URL where the full site is published, linked from the summary.
    #[arg(long, value_name = "URL")]
    pub site_url: Option<String>,
    /// Largest summary in bytes (GitHub drops a step summary over 1 MiB).
    #[arg(long, value_name = "BYTES", default_value_t = 1_000_000)]
    pub summary_budget: usize,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The SQLite database to read (never written).
    #[arg(default_value = "resource-surveillance.sqlite.db")]
    pub db: PathBuf,
    /// Folder to write the site into; replaced as a whole when the build succeeds.
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Configuration file (default: ./osx-report.toml when it exists).
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder of template overrides; a file there replaces the default of the same name.
    #[arg(short, long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// A tbls configuration (.tbls.yml) to take comments, include/exclude and relations from.
    #[arg(long, value_name = "FILE")]
    pub tbls: Option<PathBuf>,
    /// Also write each page's template context as JSON beside it (`<page>.context.json`).
    #[arg(long)]
    pub dump_context: bool,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub ci: CiOptions,
}

#[derive(Debug, Args)]
pub struct CiArgs {
    /// The SQLite database to read (never written).
    #[arg(default_value = "resource-surveillance.sqlite.db")]
    pub db: PathBuf,
    /// Configuration file (default: ./osx-report.toml when it exists).
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write the job summary (Markdown) here; `-` for stdout. Default: stdout when no
    /// other output is asked for.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Write JUnit XML here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the JSON report here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub ci: CiOptions,
}

#[derive(Debug, Args)]
pub struct TemplatesArgs {
    /// Folder to write the templates into.
    #[arg(
        short,
        long,
        value_name = "DIR",
        default_value = "osx-report-templates"
    )]
    pub out: PathBuf,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
