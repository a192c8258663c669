//! Filters and functions available to every template.
//!
//! | name | does |
//! |---|---|
//! | `mdcell` | escape text for a Markdown table cell (`|`, `<`, `>`, line breaks) |
//! | `mdlabel` | as `mdcell`, plus `[` `]`, for the text of a link in a cell |
//! | `mdtext` | text from the database in Markdown: as `mdcell`, and nothing in it becomes a link, emphasis, code, heading or list |
//! | `mdtable(adjust=true)` | block filter: pad every Markdown table inside to column width |
//! | `hard_breaks` | keep the line breaks of a multi-line description (tbls's `nl2mdnl`) |
//! | `fence` | the shortest code fence that the text cannot close |
//! | `yamlstr` | a YAML scalar for front matter: plain when safe, else double-quoted |
//! | `xmltext` | text without the characters XML 1.0 forbids (escaping is the template's) |
//! | `thousands` | an integer with thousands separators: `1234567` as `1,234,567` |

use minijinja::{Environment, Error, ErrorKind, Value};

use super::markdown_escape as md;

pub fn register(env: &mut Environment<'static>) {
    env.add_filter("mdcell", |s: &str| md::cell(s));
    env.add_filter("mdlabel", |s: &str| md::label(s));
    // plain text (most ids and names) is passed on as it is, not copied
    env.add_filter("mdtext", |v: Value| match v.as_str() {
        Some(s) if md::is_plain(s) => Ok(v),
        Some(s) => Ok(Value::from(md::escaped_text(s))),
        None => Err(Error::new(
            ErrorKind::InvalidOperation,
            "value is not a string",
        )),
    });
    env.add_filter("mdtable", |s: &str, adjust: Option<bool>| {
        md::align_tables(s, adjust.unwrap_or(true))
    });
    env.add_filter("hard_breaks", |s: &str| md::hard_breaks(s));
    env.add_filter("fence", |s: &str| md::fence_for(s));
    env.add_filter("yamlstr", |s: &str| yaml_scalar(s));
    env.add_filter("xmltext", |s: &str| crate::build::ci::junit::xml_text(s));
    env.add_filter("thousands", |n: i64| thousands(n));
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A YAML scalar: the text itself when it cannot be misread, else a JSON string (which
/// YAML reads as a double-quoted scalar).
pub fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '(' | ')' | '/'))
        && !s.starts_with([' ', '-', '.'])
        && !s.ends_with(' ')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~"
        )
        && s.parse::<f64>().is_err();
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("strings serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::{thousands, yaml_scalar};

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-12_345), "-12,345");
    }

    #[test]
    fn yaml_scalars() {
        assert_eq!(
            yaml_scalar("orchestration_session_exec"),
            "orchestration_session_exec"
        );
        assert_eq!(
            yaml_scalar("Resource Surveillance State Schema"),
            "Resource Surveillance State Schema"
        );
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar("true"), "\"true\"");
        assert_eq!(yaml_scalar("123"), "\"123\"");
        assert_eq!(yaml_scalar("x\n---"), "\"x\\n---\"");
    }
}
