//! Rendering pages to bytes (pure, safe to run on several threads) and writing them.

use anyhow::{Context, Result};
use minijinja::Environment;

use crate::build::{Body, Page};
use crate::output::Staging;
use crate::render::templates::describe_error;

/// A rendered file: its path in the site and its bytes.
pub type File = (String, Vec<u8>);

/// Renders one page; with `dump_context` also its context as JSON beside it.
pub fn render_page(
    env: &Environment<'static>,
    page: Page,
    dump_context: bool,
    out: &mut Vec<File>,
) -> Result<()> {
    match page.body {
        Body::Raw(bytes) => out.push((page.path, bytes)),
        Body::Template { name, context } => {
            let text = env
                .get_template(name)
                .and_then(|t| t.render(&context))
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
                out.push((format!("{}.context.json", page.path), json));
            }
            out.push((page.path, text.into_bytes()));
        }
    }
    Ok(())
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

/// Writes rendered files into the staging folder.
pub fn write_files(stage: &mut Staging, files: &[File]) -> Result<()> {
    for (path, bytes) in files {
        stage.write(path, bytes)?;
    }
    Ok(())
}

/// Renders and writes pages.
pub fn write_pages(
    env: &Environment<'static>,
    pages: Vec<Page>,
    stage: &mut Staging,
    dump_context: bool,
) -> Result<()> {
    write_files(stage, &render_pages(env, pages, dump_context)?)
}
