//! The template environment: default templates embedded in the binary, each one
//! overridable by a file of the same relative name in a user folder (like mdBook's
//! `theme/` and Zola's `templates/`), strict about undefined variables, and with the
//! filters our templates use.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::ValueKind;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use std::borrow::Cow;

use super::filters;

/// Embeds files of `templates/` by their relative names.
macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

/// Every default template and static asset, by its relative name.
pub static EMBEDDED: &[(&str, &str)] = embed![
    "html/base.html",
    "html/index.html",
    "html/schema/index.html",
    "html/schema/table.html",
    "html/search.html",
    "html/sessions/index.html",
    "html/sessions/session.html",
    "md/ci/summary.md",
    "md/er.mermaid",
    "md/index.md",
    "md/schema/index.md",
    "md/schema/table.md",
    "md/sessions/index.md",
    "md/sessions/session.md",
    "static/site.js",
    "static/style.css",
    "static/theme.js",
    "svg/er.svg",
    "xml/junit-head.xml",
    "xml/junit-suite.xml",
    "xml/junit-tail.xml",
];

/// Static files copied into `assets/` of the site (overridable like templates).
pub static ASSETS: &[&str] = &["static/style.css", "static/theme.js", "static/site.js"];

/// The text of a static asset: the user's file when there is one, else the default.
pub fn asset(user_dir: Option<&Path>, name: &str) -> Result<String> {
    if let (Some(dir), Some(rel)) = (user_dir, safe_relative(name)) {
        let path = dir.join(rel);
        if path.is_file() {
            return std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()));
        }
    }
    embedded(name)
        .map(str::to_owned)
        .with_context(|| format!("no asset named {name}"))
}

/// Looks a default template up by name.
pub fn embedded(name: &str) -> Option<&'static str> {
    EMBEDDED.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// A template name is a relative path without `..`: it cannot leave the user folder.
fn safe_relative(name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    p.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| p.to_path_buf())
}

/// Builds the environment. Templates in `user_dir` shadow the embedded ones file by file.
pub fn environment(user_dir: Option<&Path>) -> Result<Environment<'static>> {
    if let Some(d) = user_dir
        && !d.is_dir()
    {
        anyhow::bail!(
            "template folder {} does not exist or is not a folder",
            d.display()
        );
    }
    if let Some(d) = user_dir {
        crate::output::protect(d);
    }
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_debug(true);
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .context("configuring the template syntax")?,
    );
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") || name.ends_with(".svg") || name.ends_with(".xml") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    let user: Option<Arc<PathBuf>> = user_dir.map(|d| Arc::new(d.to_path_buf()));
    env.set_loader(move |name| {
        if let (Some(dir), Some(rel)) = (&user, safe_relative(name)) {
            let path = dir.join(rel);
            if path.is_file() {
                return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                    minijinja::Error::new(
                        minijinja::ErrorKind::InvalidOperation,
                        format!("reading template {}: {e}", path.display()),
                    )
                });
            }
        }
        Ok(embedded(name).map(str::to_owned))
    });
    filters::register(&mut env);
    // Every printed value: bidi controls are shown as `\u{..}` on every page, and in
    // Markdown pages (which end up on terminals: `osx-report ci` prints the summary)
    // control characters are shown as their control pictures (`␛`).
    env.set_formatter(|out, state, value| {
        let markdown = state.name().ends_with(".md");
        let needs = |s: &str| {
            // one vectorised look for the bytes that can start either (most values
            // have none), then the exact checks
            let suspect = if markdown {
                super::escape::any_byte(s.as_bytes(), |c| {
                    super::escape::may_start_control(c) | (c == 0xe2)
                })
            } else {
                super::escape::any_byte(s.as_bytes(), |c| c == 0xe2)
            };
            suspect
                && (has_bidi_control(s)
                    || (markdown
                        && matches!(
                            super::escape::visible_controls(s),
                            std::borrow::Cow::Owned(_)
                        )))
        };
        let Some(s) = value.as_str().filter(|_| value.kind() == ValueKind::String) else {
            return minijinja::escape_formatter(out, state, value);
        };
        let shown = if needs(s) {
            let shown = show_bidi_controls(s);
            if markdown {
                Cow::Owned(super::escape::visible_controls(&shown).into_owned())
            } else {
                Cow::Owned(shown)
            }
        } else {
            Cow::Borrowed(s)
        };
        // A string that is not escaped goes out as it is (what minijinja would write
        // through `Display`, without the formatting machinery).
        if value.is_safe() || !matches!(state.auto_escape(), AutoEscape::Html) {
            return out.write_str(&shown).map_err(minijinja::Error::from);
        }
        super::escape::html_like_minijinja(out, &shown).map_err(minijinja::Error::from)
    });
    Ok(env)
}

/// True when `s` holds a bidi control: every value printed goes through this, so it
/// looks at bytes (U+202A..202E are E2 80 AA..AE, U+2066..2069 are E2 81 A6..A9).
fn has_bidi_control(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(p) = memchr::memchr(0xe2, &b[i..]) {
        let at = i + p;
        match (b.get(at + 1), b.get(at + 2)) {
            (Some(0x80), Some(0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9)) => return true,
            _ => i = at + 1,
        }
    }
    false
}

/// The characters that reorder the text after them (Trojan Source): embeddings,
/// overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every bidi control written as `\u{..}`: a value from the database cannot
/// make the text after it on a page read in another order than it is.
fn show_bidi_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_bidi_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes every default template into `dir` for editing; existing files are kept unless
/// `force`. Returns the files written.
pub fn write_defaults(dir: &Path, force: bool) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (name, text) in EMBEDDED {
        let path = dir.join(name);
        if path.exists() && !force {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Formats a template error with its name, line and the source excerpt minijinja keeps
/// (`{:#}` shows the debug info), then the errors that caused it.
pub fn describe_error(err: &minijinja::Error) -> String {
    let mut msg = format!("{err:#}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        msg.push_str(&format!("\ncaused by: {s:#}"));
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_scan_finds_every_bidi_control_and_nothing_else() {
        for c in (0x2000u32..0x2100).filter_map(char::from_u32) {
            let s = format!("ab{c}cd");
            assert_eq!(has_bidi_control(&s), is_bidi_control(c), "{:x}", c as u32);
        }
        assert!(!has_bidi_control("é ✓ … — plain"));
        assert!(has_bidi_control("…\u{2069}"));
    }

    #[test]
    fn names_cannot_escape_the_folder() {
        assert!(safe_relative("md/schema/table.md").is_some());
        assert!(safe_relative("../etc/passwd").is_none());
        assert!(safe_relative("/etc/passwd").is_none());
        assert!(safe_relative("md/../../x").is_none());
    }

    #[test]
    fn user_templates_shadow_embedded_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("md/schema")).unwrap();
        std::fs::write(dir.path().join("md/schema/index.md"), "custom {{ 1 + 1 }}").unwrap();
        let env = environment(Some(dir.path())).unwrap();
        let t = env.get_template("md/schema/index.md").unwrap();
        assert_eq!(t.render(()).unwrap(), "custom 2");
        // the others still come from the binary
        assert!(env.get_template("md/schema/table.md").is_ok());
    }

    #[test]
    fn bidi_controls_are_shown_not_applied() {
        let mut env = environment(None).unwrap();
        env.add_template("t.html", "{{ a }}|{{ b | safe }}")
            .unwrap();
        env.add_template("t.md", "{{ a }}").unwrap();
        let ctx = minijinja::context! { a => "x\u{202e}<y", b => "<i>\u{2066}z</i>" };
        let html = env.get_template("t.html").unwrap().render(&ctx).unwrap();
        assert_eq!(html, "x\\u{202e}&lt;y|<i>\\u{2066}z</i>");
        let md = env.get_template("t.md").unwrap().render(&ctx).unwrap();
        assert_eq!(md, "x\\u{202e}<y");
        let ctx = minijinja::context! { a => "\u{1b}]0;t\u{7}\r\n" };
        let md = env.get_template("t.md").unwrap().render(&ctx).unwrap();
        assert_eq!(md, "\u{241b}]0;t\u{2407}\r\n");
    }

    #[test]
    fn undefined_variables_are_errors() {
        let mut env = environment(None).unwrap();
        env.add_template("t.md", "{{ nope }}").unwrap();
        let err = env.get_template("t.md").unwrap().render(()).unwrap_err();
        assert!(
            describe_error(&err).contains("undefined"),
            "{}",
            describe_error(&err)
        );
    }
}
