//! File names from ids. Ids are arbitrary text (ULIDs, `ORCHSESSID-12`, slashes, `..`,
//! NUL, unicode, thousands of characters); a file name must be safe (one path segment
//! of portable characters, never `.`/`..`, never a reserved name), short, unique within
//! its folder even on case-insensitive file systems, and stable from build to build.
//!
//! The rule: an id made only of `A-Z a-z 0-9 _ - .` (not starting or ending with `.`),
//! at most 80 characters, that is not a reserved stem, not a Windows device name (`CON`,
//! `nul.txt`, `COM1`...) and does not end in an extension of the site's files (`.html`,
//! `.md`, ...: a session's folder `x.html/` would collide with the page `x.html`) is its
//! own file name. Any other id keeps its portable characters
//! (others become `-`, runs collapse, cut to 48 characters) and gets `-` plus 12 hex
//! digits of a hash of the whole id. The hash depends only on the id, so names do not
//! change when other ids come and go; ids whose names still collide ignoring case get
//! the hash too, chosen in sorted order.

use crate::hash::HashMap;
use std::collections::BTreeMap;

const MAX_PLAIN: usize = 80;
const MAX_STEM: usize = 48;

/// FNV-1a, 64 bits: stable across platforms, versions and runs.
pub fn stable_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in s.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Extensions of files the site writes: a plain name must not end in one.
const EXTENSIONS: &[&str] = &[".html", ".md", ".json", ".txt", ".svg", ".xml", ".css"];

/// Names Windows gives to devices, with or without an extension.
const DEVICES: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// True when `id` is a reserved stem: equal to one ignoring case, or, for a reserved
/// `prefix*`, the prefix followed by digits (`page-*` reserves `page-2`).
fn is_reserved(id: &str, reserved: &[&str]) -> bool {
    reserved.iter().any(|r| match r.strip_suffix('*') {
        Some(prefix) => {
            id.len() > prefix.len()
                && id.is_char_boundary(prefix.len())
                && id[..prefix.len()].eq_ignore_ascii_case(prefix)
                && id[prefix.len()..].bytes().all(|b| b.is_ascii_digit())
        }
        None => r.eq_ignore_ascii_case(id),
    })
}

pub fn is_plain(id: &str, reserved: &[&str]) -> bool {
    if id.is_empty()
        || id.len() > MAX_PLAIN
        || id.starts_with('.')
        || id.ends_with('.')
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return false;
    }
    // ASCII from here: devices and extensions compared ignoring case, without a copy
    let base = id.split('.').next().unwrap_or("");
    !is_reserved(id, reserved)
        && !DEVICES.iter().any(|d| d.eq_ignore_ascii_case(base))
        && !EXTENSIONS
            .iter()
            .any(|e| id.len() >= e.len() && id[id.len() - e.len()..].eq_ignore_ascii_case(e))
}

fn hashed(id: &str) -> String {
    let mut stem = String::new();
    let mut dash = false;
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || (c == '.' && !stem.is_empty()) {
            stem.push(c);
            dash = false;
        } else if !dash && !stem.is_empty() {
            stem.push('-');
            dash = true;
        }
        if stem.len() >= MAX_STEM {
            break;
        }
    }
    let stem = stem.trim_end_matches(['-', '.']);
    let h = stable_hash(id) & 0xffff_ffff_ffff;
    let base = stem.split('.').next().unwrap_or("").to_ascii_lowercase();
    if stem.is_empty() || DEVICES.contains(&base.as_str()) {
        format!("id-{h:012x}")
    } else {
        format!("{stem}-{h:012x}")
    }
}

/// The file-name stem (without extension) of each id, unique ignoring case.
/// `reserved` are stems used by other files in the same folder (`index`, `README`...);
/// `page-*` reserves `page-` followed by digits.
pub fn assign<'a>(
    ids: impl IntoIterator<Item = &'a str>,
    reserved: &[&str],
) -> HashMap<String, String> {
    let mut sorted: Vec<&str> = ids.into_iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = crate::hash::map_with_capacity(sorted.len());
    let mut taken: BTreeMap<String, &str> = BTreeMap::new();
    // Plain names first, so they keep their own name whenever possible.
    for pass in 0..2 {
        for &id in &sorted {
            let plain = is_plain(id, reserved);
            if (pass == 0) != plain {
                continue;
            }
            let mut name = if plain { id.to_string() } else { hashed(id) };
            let mut n = 1;
            while taken.contains_key(&name.to_ascii_lowercase()) {
                name = if n == 1 {
                    hashed(id)
                } else {
                    format!("{}-{n}", hashed(id))
                };
                n += 1;
            }
            taken.insert(name.to_ascii_lowercase(), id);
            out.insert(id.to_string(), name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_are_their_own_names() {
        let m = assign(["01HZX3", "ORCHSESSID-12", "device"], &["index"]);
        assert_eq!(m["01HZX3"], "01HZX3");
        assert_eq!(m["ORCHSESSID-12"], "ORCHSESSID-12");
    }

    #[test]
    fn unsafe_ids_are_made_safe_and_short() {
        let long = "x".repeat(2000);
        let ids = [
            "../etc/passwd",
            "a/b",
            "a\\b",
            "\0",
            "..",
            ".",
            "",
            "é",
            long.as_str(),
        ];
        let m = assign(ids, &[]);
        let mut seen = crate::hash::HashSet::default();
        for id in ids {
            let n = &m[id];
            assert!(n.len() <= MAX_STEM + 14, "{n}");
            assert!(!n.contains(['/', '\\', '\0']) && !n.starts_with('.'), "{n}");
            assert!(seen.insert(n.to_ascii_lowercase()), "duplicate {n}");
        }
    }

    #[test]
    fn collisions_get_distinct_names_stably() {
        let a = assign(["a b", "a-b", "A-B", "a_b"], &[]);
        let mut names: Vec<_> = a.values().map(|s| s.to_ascii_lowercase()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 4);
        // adding an unrelated id changes nothing
        let b = assign(["a b", "a-b", "A-B", "a_b", "zzz"], &[]);
        for k in ["a b", "a-b", "A-B", "a_b"] {
            assert_eq!(a[k], b[k]);
        }
    }

    #[test]
    fn regression_names_that_collide_with_other_files_are_hashed() {
        // pagination pages, a session's folder next to another session's page, Windows
        // devices, a trailing dot that Windows drops
        let ids = [
            "page-2", "x", "x.html", "X.MD", "CON", "nul.txt", "a.", "a", "page-x", "CON.x y",
        ];
        let m = assign(ids, &["index", "page-*"]);
        for id in [
            "page-2", "x.html", "X.MD", "CON", "nul.txt", "a.", "CON.x y",
        ] {
            assert_ne!(m[id], id, "{id} kept its own name");
            assert!(!m[id].to_ascii_lowercase().starts_with("con."), "{}", m[id]);
            assert!(
                !EXTENSIONS
                    .iter()
                    .any(|e| m[id].to_ascii_lowercase().ends_with(e))
            );
        }
        for id in ["x", "a", "page-x"] {
            assert_eq!(m[id], id);
        }
    }

    #[test]
    fn reserved_names_are_avoided() {
        let m = assign(["index", "README"], &["index", "readme"]);
        assert_ne!(m["index"], "index");
        assert_ne!(m["README"].to_ascii_lowercase(), "readme");
    }
}
