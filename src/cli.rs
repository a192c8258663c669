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
    /// Write the default templates into a folder, to edit and pass as --templates.
    Templates(TemplatesArgs),
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
