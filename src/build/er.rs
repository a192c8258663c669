//! The ER diagrams of the schema pages: a standalone `.svg` file per table and one for
//! the whole schema (rendered by `svg/er.svg` with its own light/dark style), and the
//! `er` part of each page's context: the diagram to draw inline in HTML, or the Mermaid
//! text for Markdown when `er_format = "mermaid"`.

use serde::Serialize;

use super::Page;
use crate::er::{Diagram, Mermaid};

/// The ER diagram of a page.
#[derive(Serialize)]
pub struct Er {
    /// URL of the image from a Markdown page (`er_image` with `{name}` replaced).
    pub image: String,
    /// URL of the `.svg` file from the HTML page.
    pub html_image: String,
    /// Accessible name of the diagram.
    pub label: String,
    /// The diagram to draw inline (HTML pages).
    pub diagram: Option<Diagram>,
    /// A Mermaid erDiagram to embed instead of the image (Markdown pages, when asked).
    pub mermaid: Option<Mermaid>,
}

/// Context of `svg/er.svg`.
#[derive(Serialize)]
pub struct SvgPage<'a> {
    pub diagram: &'a Diagram,
    pub label: &'a str,
    /// A file of its own: it carries its light/dark style.
    pub standalone: bool,
}

/// The page of a standalone `.svg` file.
pub fn svg_page(path: String, diagram: &Diagram, label: &str) -> Page {
    Page::template(
        path,
        "svg/er.svg",
        &SvgPage {
            diagram,
            label,
            standalone: true,
        },
    )
}

/// Accessible name of a table's diagram.
pub fn table_label(name: &str, distance: u32) -> String {
    match distance {
        0 => format!("ER diagram of {name}"),
        1 => format!("ER diagram of {name} and the tables it shares a foreign key with"),
        d => format!("ER diagram of {name} and the tables within {d} foreign-key hops"),
    }
}

/// Accessible name of the whole-schema diagram.
pub fn schema_label(schema_name: &str) -> String {
    format!("ER diagram of {schema_name}")
}
