//! osx-report turns a surveilr RSSD (an SQLite file) into a static site.
//!
//! The pipeline, with plain data between the stages:
//!
//! ```text
//! read    SQLite file (read-only)   -> model::Schema (+ sessions)
//! build   &model + options          -> Vec<build::Page> (path, template, typed context)
//! render  pages + templates         -> files in a staging folder, swapped in at the end
//! ```

pub mod app;
pub mod build;
pub mod cli;
pub mod config;
pub mod er;
pub mod hash;
pub mod model;
pub mod output;
pub mod read;
pub mod render;
pub mod sql;
pub mod synth;
#[cfg(test)]
mod testing;

use std::process::ExitCode;

use anyhow::Result;

use cli::{Cli, Command};

pub use app::build::build_site;
pub use app::settings::{Settings, load_schema};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build(args) => {
            let (summary, failing) = app::build::build_site(&args)?;
            if !args.quiet {
                eprintln!("{summary}");
            }
            Ok(exit_for(&failing))
        }
        Command::GenRssd(a) => {
            synth::generate(
                &a.out,
                &synth::GenOptions {
                    sessions: a.sessions,
                    execs_per_session: a.execs_per_session,
                    output_bytes: a.output_bytes,
                    huge_outputs: a.huge_outputs,
                    huge_bytes: a.huge_bytes,
                    failures_per_mille: a.failures_per_mille,
                    seed: a.seed,
                },
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Ci(args) => {
            let failing = app::run_ci(&args)?;
            Ok(exit_for(&failing))
        }
        Command::Templates(args) => {
            let written = render::templates::write_defaults(&args.out, args.force)?;
            eprintln!(
                "wrote {} default templates to {} (existing files kept{})",
                written.len(),
                args.out.display(),
                if args.force {
                    ", --force: replaced"
                } else {
                    ""
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Exit code 1 when a `--fail-on` condition holds, saying which on stderr.
fn exit_for(failing: &[String]) -> ExitCode {
    if failing.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("osx-report: failing: {}", failing.join(", "));
        ExitCode::from(1)
    }
}
