//! Build: from the model and the configuration to pages, each a path inside the output
//! folder with either a template and its typed context, or ready bytes (SVG, JSON).
//! No I/O happens here.

pub mod ci;
pub mod er;
pub mod exec;
pub mod home;
pub mod links;
pub mod schema;
pub mod search;
pub mod session_index;
pub mod sessions;
pub mod slug;
pub mod text;

use minijinja::Value;
use serde::Serialize;

/// One file of the site.
pub struct Page {
    /// Path relative to the output folder, `/`-separated, already made safe.
    pub path: String,
    pub body: Body,
}

/// What goes into a page's file.
pub enum Body {
    /// Render this template with this context.
    Template { name: &'static str, context: Value },
    /// Write these bytes as they are.
    Raw(Vec<u8>),
    /// Copy this text column of an execution from the database (too large to load).
    FromDb { column: &'static str, rowid: i64 },
}

impl Page {
    /// A page rendered from `template` with a typed context.
    pub fn template(path: impl Into<String>, name: &'static str, ctx: &impl Serialize) -> Page {
        Page {
            path: path.into(),
            body: Body::Template {
                name,
                context: Value::from(minijinja::value::Serde(ctx)),
            },
        }
    }

    /// A page whose bytes are already known.
    pub fn raw(path: impl Into<String>, bytes: Vec<u8>) -> Page {
        Page {
            path: path.into(),
            body: Body::Raw(bytes),
        }
    }
}
