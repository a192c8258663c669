//! Rendering: templates to text, and text to files.

pub mod ansi;
pub mod escape;
pub mod filters;
pub mod highlight;
pub mod markdown;
pub mod markdown_escape;
pub mod object;
pub mod templates;
