//! Rendering: templates to text, and text to files.

pub mod filters;
pub mod markdown_escape;
pub mod templates;
