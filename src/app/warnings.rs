//! Warnings on stderr: the first few in full, then a count, so a million bad rows do not
//! flood a terminal or a CI log (every one is marked on its page).

/// Prints warnings to stderr, at most `limit` of them, and says how many were not shown.
pub struct Warnings {
    shown: usize,
    total: usize,
    limit: usize,
    quiet: bool,
}

impl Warnings {
    pub fn new(limit: usize, quiet: bool) -> Warnings {
        Warnings {
            shown: 0,
            total: 0,
            limit,
            quiet,
        }
    }

    pub fn warn(&mut self, w: &str) {
        self.total += 1;
        if self.shown < self.limit && !self.quiet {
            self.shown += 1;
            // text from the database cannot drive the terminal
            eprintln!(
                "osx-report: warning: {}",
                crate::render::escape::terminal(w)
            );
        }
    }

    /// How many warnings there were.
    pub fn total(&self) -> usize {
        self.total
    }

    pub fn finish(&self) {
        if self.total > self.shown && !self.quiet {
            eprintln!(
                "osx-report: warning: ... and {} more warnings (each is marked on its page)",
                self.total - self.shown
            );
        }
    }
}
