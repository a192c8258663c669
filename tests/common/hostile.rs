//! An adversarial RSSD, built by code: every text column of every orchestration table
//! holds markup, script, Markdown and template syntax that must come out as text.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

/// What commands could have printed. Each one tries a different way out of its place.
pub const PAYLOADS: &[&str] = &[
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=alert('xss-img')>",
    "<svg onload=alert('xss-svg')><circle r=1 /></svg>",
    "</details></summary></code></pre></textarea></table></div></li></ul><script>alert('xss-close')</script>",
    "\"><script>alert('xss-attr')</script><b x=\"",
    "' onmouseover='alert(`xss-quote`)' x='",
    "<a href=\"javascript:alert('xss-a')\">a</a> <a href='data:text/html,<script>alert(1)</script>'>d</a>",
    "[click](javascript:alert('xss-mdlink')) [c2](JaVaScRiPt:alert(2)) [c3](java&#115;cript:alert(3)) [c4](javascript\\:alert(4))",
    "![img](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) ![svg](data:image/svg+xml,<svg onload=alert(5)>)",
    "<javascript:alert('xss-autolink')> <vbscript:msgbox(1)>",
    "[ref]: javascript:alert('xss-ref')\n\n[ref] and [ref][]",
    "{{ 12345 * 6789 }} {% if true %}TEMPLATE-RAN{% endif %} {# comment #} {{ site.title }} {% raw %}",
    "```\n</details>\n````\n~~~\nstill in the block?",
    "| a | b |\n|---|---|\n| c | d |",
    "<!-- an unclosed comment",
    "]]> <![CDATA[ x",
    "<style>body{display:none}</style><base href=\"http://evil.example/\"><meta http-equiv=\"refresh\" content=\"0;url=http://evil.example/\">",
    "<iframe src=\"http://evil.example/\"></iframe><object data=\"x\"></object><embed src=x><form action=x><input autofocus onfocus=alert(1)>",
    "\u{202e}RTL \u{0} NUL \u{1b}[31mred\u{1b}[0m \u{1b}]8;;javascript:alert(1)\u{7}osc-link\u{1b}]8;;\u{7} \u{1b}]0;title\u{7}",
    "<details open><summary>fake summary</summary>",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#60;script&#62; &amp;",
    "---\ntitle: injected\n---\n# Heading\n> quote\n- item\n1. one",
    "* **bold** _em_ ~~del~~ `code` \\* \\",
    "<math><mtext></p><script>alert('xss-math')</script></mtext></math>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('xss-noscript')>\">",
    "\u{2028}line\u{2029}para\r\nCRLF\rCR\u{c}FF\u{b}VT\u{7f}DEL\u{fffe}\u{ffff}",
    "<script>document.title='PWNED'</script><img src=x onerror=\"document.title='PWNED'\"><svg onload=\"document.title='PWNED'\"></svg>",
];

/// What a page's title becomes if a payload's script runs in a browser.
pub const PWNED: &str = "PWNED";

/// All payloads in one text.
pub fn all_payloads() -> String {
    PAYLOADS.join("\n\n")
}

/// Markers that would show up on a page only if a payload ran or was re-read as markup.
pub const TEMPLATE_RESULT: &str = "83810205";

/// The orchestration tables, as `tests/fixtures/sessions-ddl.sql` has them.
pub fn ddl() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sessions-ddl.sql"),
    )
    .expect("sessions-ddl.sql")
}

/// Builds `<dir>/hostile.db`: one session `S-XSS` where every text column of every row
/// holds a payload, executions and entries and issues whose ids are payloads, and one
/// session per payload whose id is that payload.
pub fn hostile_db(dir: &Path) -> PathBuf {
    let path = dir.join("hostile.db");
    let c = Connection::open(&path).unwrap();
    c.execute_batch(&ddl()).unwrap();
    let all = all_payloads();
    let json_all = serde_json::to_string(&PAYLOADS).unwrap();
    c.execute(
        "INSERT INTO device VALUES ('D-XSS', ?1)",
        params![PAYLOADS[0]],
    )
    .unwrap();
    c.execute(
        "INSERT INTO orchestration_nature VALUES ('N-XSS', ?1)",
        params![PAYLOADS[1]],
    )
    .unwrap();
    c.execute(
        "INSERT INTO orchestration_session VALUES ('S-XSS', 'D-XSS', 'N-XSS', ?1, '2026-01-02 10:00:00', NULL, ?2, ?2, ?2, ?3)",
        params![PAYLOADS[2], json_all, all],
    )
    .unwrap();
    let n = PAYLOADS.len();
    for (k, p) in PAYLOADS.iter().enumerate() {
        let p = *p;
        let json_p = serde_json::json!({ "note": p, "duration_ms": k }).to_string();
        // entries, states, issues, relations with payload ids and text
        c.execute(
            "INSERT INTO orchestration_session_entry VALUES (?1, 'S-XSS', ?1, ?1, ?2)",
            params![format!("entry {p}"), json_p],
        )
        .unwrap();
        c.execute(
            "INSERT INTO orchestration_session_state VALUES (?1, 'S-XSS', ?2, ?3, ?3, ?4, ?3, ?5, ?4)",
            params![
                format!("state {p}"),
                format!("entry {p}"),
                p,
                json_p,
                format!("2026-01-02 10:00:{:02}", k % 60)
            ],
        )
        .unwrap();
        c.execute(
            "INSERT INTO orchestration_session_issue VALUES (?1, 'S-XSS', ?2, ?3, ?3, ?3, ?3, ?3, ?3, ?4)",
            params![format!("issue {p}"), format!("entry {p}"), p, json_p],
        )
        .unwrap();
        c.execute(
            "INSERT INTO orchestration_session_issue_relation VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                format!("rel {p}"),
                format!("issue {p}"),
                format!("issue {}", PAYLOADS[(k + 1) % n]),
                p,
                json_p
            ],
        )
        .unwrap();
        // executions: an id that is the payload, nested under the previous one, and
        // every text column the payload; outputs of each kind
        let nature = [
            None,
            Some("{\"mime\":\"text/markdown\"}"),
            Some("{\"mime\":\"application/json\"}"),
            Some("text/plain"),
        ][k % 4];
        let parent = (k > 0).then(|| format!("exec {}", PAYLOADS[k - 1]));
        c.execute(
            "INSERT INTO orchestration_session_exec VALUES (?1, ?2, 'S-XSS', ?3, ?4, ?2, ?2, ?2, ?5, ?2, ?2, ?6, ?7, ?2, ?8)",
            params![
                format!("exec {p}"),
                p,
                format!("entry {p}"),
                parent,
                if k % 3 == 0 { "1".to_string() } else { p.to_string() },
                if k % 2 == 0 { p.to_string() } else { json_all.clone() },
                nature,
                json_p
            ],
        )
        .unwrap();
        c.execute(
            "INSERT INTO orchestration_session_log VALUES (?1, ?2, ?3, ?2, ?4, ?5)",
            params![format!("log {p}"), p, format!("exec {p}"), k as i64, json_p],
        )
        .unwrap();
        // an execution of a session that does not exist: a warning naming the payload
        c.execute(
            "INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status) VALUES (?1, 'shell', ?2, 'x', 0)",
            params![format!("ghost {k}"), format!("ghost {p}")],
        )
        .unwrap();
        // a session whose id is the payload
        c.execute(
            "INSERT INTO orchestration_session VALUES (?1, 'D-XSS', 'N-XSS', '1', ?2, NULL, NULL, NULL, NULL, ?3)",
            params![p, format!("2026-01-01 00:{:02}:00", k % 60), p],
        )
        .unwrap();
        c.execute(
            "INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status, output_text, narrative_md) VALUES (?1, 'shell', ?2, ?2, 1, ?2, ?2)",
            params![format!("own {k}"), p],
        )
        .unwrap();
    }
    // one execution holding all payloads at once in every column
    c.execute(
        "INSERT INTO orchestration_session_exec VALUES ('ALL', ?1, 'S-XSS', NULL, NULL, ?1, ?1, ?1, 'failed', ?1, ?1, ?1, '{\"mime\":\"text/markdown\"}', ?1, ?2)",
        params![all, json_all],
    )
    .unwrap();
    path
}
