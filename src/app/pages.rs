//! Rendering pages to bytes (pure, safe to run on several threads) and writing them.

use anyhow::{Context, Result};
use minijinja::Environment;

use crate::build::{Body, Page};
use crate::output::Staging;
use crate::render::templates::describe_error;

/// A rendered file: its path in the site and its content.
pub type File = (String, Content);

/// What goes into a file.
pub enum Content {
    Bytes(Vec<u8>),
    /// A text column of an execution, copied from the database in pieces.
    FromDb {
        column: &'static str,
        rowid: i64,
    },
}

/// Renders one page; with `dump_context` also its context as JSON beside it.
pub fn render_page(
    env: &Environment<'static>,
    page: Page,
    dump_context: bool,
    out: &mut Vec<File>,
) -> Result<()> {
    match page.body {
        Body::Raw(bytes) => out.push((page.path, Content::Bytes(bytes))),
        Body::FromDb { column, rowid } => out.push((page.path, Content::FromDb { column, rowid })),
        Body::Template { name, context } => {
            // Rendered into a buffer sized like the last page of the same template
            // on this thread, so big pages are not copied over and over as they grow.
            let mut text = Vec::with_capacity(size_hint(name));
            env.get_template(name)
                .and_then(|t| t.render_captured_to(&context, &mut text).map(drop))
                .map_err(|e| {
                    anyhow::anyhow!(
                        "rendering {} with template {name}: {}",
                        page.path,
                        describe_error(&e)
                    )
                })?;
            if dump_context {
                let json =
                    serde_json::to_vec_pretty(&context).context("serialising a page context")?;
                out.push((format!("{}.context.json", page.path), Content::Bytes(json)));
            }
            remember_size(name, text.len());
            out.push((page.path, Content::Bytes(text)));
        }
    }
    Ok(())
}

thread_local! {
    static LAST_SIZE: std::cell::RefCell<Vec<(&'static str, usize)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// A starting capacity for a page of `template`: a little over the last one's size.
fn size_hint(template: &'static str) -> usize {
    LAST_SIZE.with_borrow(|v| {
        v.iter()
            .find(|(t, _)| *t == template)
            .map_or(4096, |&(_, n)| n + n / 8)
    })
}

fn remember_size(template: &'static str, n: usize) {
    LAST_SIZE.with_borrow_mut(|v| match v.iter_mut().find(|(t, _)| *t == template) {
        Some(e) => e.1 = n,
        None => v.push((template, n)),
    })
}

/// Renders pages into files.
pub fn render_pages(
    env: &Environment<'static>,
    pages: Vec<Page>,
    dump_context: bool,
) -> Result<Vec<File>> {
    let mut out = Vec::with_capacity(pages.len());
    for p in pages {
        render_page(env, p, dump_context, &mut out)?;
    }
    Ok(out)
}

/// Writes rendered files into the staging folder. Values too large to load are copied
/// from the database through `db` in pieces (never held whole in memory).
pub fn write_files(
    stage: &mut Staging,
    files: &[File],
    db: Option<&rusqlite::Connection>,
) -> Result<()> {
    for (path, content) in files {
        match content {
            Content::Bytes(bytes) => stage.write(path, bytes)?,
            Content::FromDb { column, rowid } => {
                let conn = db.context("no database connection to copy a large value from")?;
                let mut blob = conn
                    .blob_open(
                        rusqlite::MAIN_DB,
                        "orchestration_session_exec",
                        *column,
                        *rowid,
                        true,
                    )
                    .with_context(|| {
                        format!("reading {column} of orchestration_session_exec row {rowid}")
                    })?;
                stage.write_stream(path, &mut blob)?;
            }
        }
    }
    Ok(())
}

/// Renders pages on all cores, a few at a time (so memory holds a few pages, not an
/// index of ten thousand sessions), and writes them in their order.
pub fn write_pages(
    env: &Environment<'static>,
    pages: Vec<Page>,
    stage: &mut Staging,
    dump_context: bool,
) -> Result<()> {
    write_pages_with(env, pages, dump_context, |files| {
        write_files(stage, files, None)
    })
}

/// [`write_pages`], handing each page's files to `write`.
pub fn write_pages_with(
    env: &Environment<'static>,
    pages: Vec<Page>,
    dump_context: bool,
    mut write: impl FnMut(&[File]) -> Result<()>,
) -> Result<()> {
    use rayon::prelude::*;
    let mut pages = pages.into_iter().peekable();
    let batch = 4 * rayon::current_num_threads().max(1);
    while pages.peek().is_some() {
        let some: Vec<Page> = pages.by_ref().take(batch).collect();
        let rendered: Vec<Result<Vec<File>>> = some
            .into_par_iter()
            .map(|p| {
                let mut out = Vec::with_capacity(1);
                render_page(env, p, dump_context, &mut out).map(|()| out)
            })
            .collect();
        for files in rendered {
            write(&files?)?;
        }
    }
    Ok(())
}
