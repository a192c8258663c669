//! `osx-report`: parse the arguments, run the library, print the error chain, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = osx_report::cli::Cli::parse();
    match osx_report::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("osx-report: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
