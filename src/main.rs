//! `osx-report`: parse the arguments, run the library, print the error chain, exit.

use std::process::ExitCode;

use clap::Parser;

// mimalloc: a build allocates and frees millions of small strings on two threads;
// measured faster than the system allocator here (see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = osx_report::cli::Cli::parse();
    match osx_report::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // ids and names from the database in the message cannot drive the terminal
            let text = format!("{e:#}");
            let lines: Vec<_> = text
                .lines()
                .map(osx_report::render::escape::terminal)
                .collect();
            eprintln!("osx-report: error: {}", lines.join("\n"));
            ExitCode::from(2)
        }
    }
}
