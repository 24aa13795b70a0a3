//! Line and column agree in every output format, whatever the line breaks, and a file that is
//! not UTF-8 is reported at its first invalid byte (issue 10, item 10).

use assert_cmd::Command;

fn lint(path: &std::path::Path, format: &str) -> String {
    let output = Command::cargo_bin("flexmap")
        .expect("binary")
        .args(["lint", "--color", "never", "--format", format])
        .arg(path)
        .output()
        .expect("runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `file:LINE:COL` as each format prints the first finding.
fn positions(path: &std::path::Path) -> Vec<(String, usize, usize)> {
    let name = path.display().to_string();
    let mut out = Vec::new();
    let short = lint(path, "short");
    let rest = short
        .strip_prefix(&format!("{name}:"))
        .expect("short starts with the file");
    let mut parts = rest.splitn(3, ':');
    let line = parts.next().and_then(|p| p.parse().ok()).expect("line");
    let column = parts.next().and_then(|p| p.parse().ok()).expect("column");
    out.push(("short".to_string(), line, column));
    let json: serde_json::Value = serde_json::from_str(&lint(path, "json")).expect("json");
    let first = &json["diagnostics"][0];
    out.push((
        "json".to_string(),
        first["line"].as_u64().expect("line") as usize,
        first["column"].as_u64().expect("column") as usize,
    ));
    let sarif: serde_json::Value = serde_json::from_str(&lint(path, "sarif")).expect("sarif");
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    out.push((
        "sarif".to_string(),
        region["startLine"].as_u64().expect("line") as usize,
        region["startColumn"].as_u64().expect("column") as usize,
    ));
    let human = lint(path, "human");
    let marker = format!("[{name}:");
    let at = human.find(&marker).expect("human names the file") + marker.len();
    let mut parts = human[at..].split([':', ']']);
    let line = parts.next().and_then(|p| p.parse().ok()).expect("line");
    let column = parts.next().and_then(|p| p.parse().ok()).expect("column");
    out.push(("human".to_string(), line, column));
    out
}

#[test]
fn every_format_gives_the_same_line_and_column_for_any_line_break() {
    let dir = tempfile::tempdir().expect("temp");
    for (name, newline) in [("lf.yaml", "\n"), ("crlf.yaml", "\r\n"), ("cr.yaml", "\r")] {
        let text = [
            "flexmap: 1",
            "target: task",
            "conversations:",
            "  ivr_path: ivr.digits",
            "  wrapup_time: x",
            "",
        ]
        .join(newline);
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        for (format, line, column) in positions(&path) {
            assert_eq!((line, column), (5, 3), "{name} in {format}");
        }
    }
}

#[test]
fn invalid_utf8_is_reported_at_the_byte() {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("latin1.yaml");
    std::fs::write(
        &path,
        b"flexmap: 1\ntarget: task\nconversations:\n  ivr_path: \"caf\xe9\"\n",
    )
    .expect("write");
    let short = lint(&path, "short");
    assert!(
        short.starts_with(&format!("{}:4:17: error[FM902] not UTF-8", path.display())),
        "{short}"
    );
    // The same through a folder scan.
    let short = lint(dir.path(), "short");
    assert!(short.contains("latin1.yaml:4:17: error[FM902]"), "{short}");
}
