//! URLs and file names: percent-encoding names for links, and relative paths between
//! pages so the site works from `file://`, under any base path and on GitHub.

/// Percent-encodes `s` for a URL path segment. Unreserved characters and the sub-delims
/// that tbls's mdurl keeps stay as they are; `/`, `?`, `#`, `%`, spaces and everything
/// else are encoded, so a name is always exactly one segment.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'!'
            | b'*'
            | b'\''
            | b'('
            | b')'
            | b';'
            | b':'
            | b'@'
            | b'&'
            | b'='
            | b'+'
            | b'$'
            | b',' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The relative URL from the page at `from` to the file at `to` (both `/`-separated
/// paths inside the output folder).
pub fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = match from.rfind('/') {
        Some(i) => from[..i].split('/').collect(),
        None => Vec::new(),
    };
    let to_parts: Vec<&str> = to.split('/').collect();
    let (to_dir, file) = to_parts.split_at(to_parts.len() - 1);
    let common = from_dir
        .iter()
        .zip(to_dir.iter())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = String::new();
    for _ in common..from_dir.len() {
        out.push_str("../");
    }
    for d in &to_dir[common..] {
        out.push_str(&encode_segment(d));
        out.push('/');
    }
    out.push_str(&encode_segment(file[0]));
    out
}

/// `../` repeated to go from the folder of `page` up to the site root (`""` at the root).
pub fn root_of(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments() {
        assert_eq!(encode_segment("a b/c?#%"), "a%20b%2Fc%3F%23%25");
        assert_eq!(encode_segment("Mixed-Case_1.x"), "Mixed-Case_1.x");
        assert_eq!(encode_segment("é"), "%C3%A9");
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative("schema/a.html", "schema/b.html"), "b.html");
        assert_eq!(relative("schema/a.html", "index.html"), "../index.html");
        assert_eq!(
            relative("index.html", "schema/b c.html"),
            "schema/b%20c.html"
        );
        assert_eq!(
            relative("sessions/x/y.html", "schema/t.html"),
            "../../schema/t.html"
        );
        assert_eq!(root_of("a/b/c.html"), "../../");
        assert_eq!(root_of("index.html"), "");
    }
}
