//! `flexmap docs`: the data dictionary of `rules-examples/` as Markdown (snapshot) and HTML
//! (self-contained, balanced, escaped; rendered by headless Chromium into a real image).

use assert_cmd::Command;

use crate::browser::{chromium, run_chromium};
use crate::root;

/// `flexmap docs ARGS…` run from the crate root: its stdout, after checking it succeeded
/// quietly.
fn docs(args: &[&str]) -> String {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("flexmap"))
        .current_dir(root())
        .arg("docs")
        .args(args)
        .output()
        .expect("flexmap runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "flexmap docs {args:?} failed:\n{stderr}"
    );
    assert!(stderr.is_empty(), "unexpected stderr:\n{stderr}");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../cases/docs-snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn markdown_of_the_examples() {
    let markdown = docs(&["rules-examples"]);
    assert_table_rows_keep_their_columns(&markdown);
    snapshot("rules-examples.md", &markdown);
}

#[test]
fn html_of_the_examples_is_self_contained_and_well_formed() {
    let html = docs(&["rules-examples", "--format", "html"]);
    assert_well_formed(&html);
    assert_self_contained(&html);
    // Every link of the table of contents has its target.
    for target in html.split("href=\"#").skip(1) {
        let id = &target[..target.find('"').expect("closing quote")];
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "the contents link to #{id}, which does not exist"
        );
    }
    for section in ["rulesets", "conversations", "customers", "worker", "extra"] {
        assert!(
            html.contains(&format!("<section id=\"{section}\">")),
            "{section}"
        );
    }
}

#[test]
fn output_file_format_follows_its_extension() {
    let folder = tempfile::tempdir().expect("temporary folder");
    for (file, expected) in [
        (
            "dictionary.html",
            docs(&["rules-examples", "--format", "html"]),
        ),
        ("dictionary.md", docs(&["rules-examples"])),
    ] {
        let path = folder.path().join(file);
        let output = Command::new(assert_cmd::cargo::cargo_bin!("flexmap"))
            .current_dir(root())
            .args(["docs", "rules-examples", "-o"])
            .arg(&path)
            .output()
            .expect("flexmap runs");
        assert!(output.status.success());
        assert!(output.stdout.is_empty(), "nothing on stdout with -o");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("wrote") && stderr.contains("from 4 rule files"),
            "{stderr}"
        );
        let written = std::fs::read_to_string(&path).expect("file written");
        assert_eq!(written, expected, "{file}");
    }
}

/// Text from the rules holding `<`, `&`, `|` and backticks: the HTML shows it as text, and
/// no Markdown table row breaks.
#[test]
fn rule_text_is_escaped() {
    let markdown = docs(&["tests/cases/docs/escaping"]);
    assert_table_rows_keep_their_columns(&markdown);
    for expected in [
        r"Escaping \<script>",
        r#"`crm.campaign \| replace("[\|]", "/") ?? "a\|b"`"#,
        r#"``("`" ++ crm.note ++ "`") \| truncate(128)``"#,
        r"`odd<key>&\|`",
    ] {
        assert!(
            markdown.contains(expected),
            "missing {expected:?} in\n{markdown}"
        );
    }

    let html = docs(&["tests/cases/docs/escaping", "--format", "html"]);
    assert_well_formed(&html);
    assert!(!html.contains("<script"), "a description became a tag");
    assert!(!html.contains("<b>"), "a description became a tag");
    for expected in [
        "Escaping &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; pipes | in text",
        "crm.<wbr>score &lt; 10 and crm.<wbr>flag != &quot;x&amp;y&quot; then &quot;&lt;low&gt;&quot;",
        "&amp; <code>code | with pipe</code>",
        "<code class=\"name\">odd&lt;key&gt;&amp;|</code>",
        "<code class=\"name\">conversation_<wbr>attribute_<wbr>1</code>",
    ] {
        assert!(html.contains(expected), "missing {expected:?}");
    }
    snapshot("escaping.html", &html);
}

#[test]
fn html_renders_in_headless_chromium() {
    let chromium = chromium();
    let folder = tempfile::tempdir().expect("temporary folder");
    let page = folder.path().join("dictionary.html");
    std::fs::write(&page, docs(&["rules-examples", "--format", "html"])).expect("write page");
    let url = format!("file://{}", page.display());

    // The DOM Chromium built: every section and field row is there.
    let dom = run_chromium(&chromium, folder.path(), &["--dump-dom", &url]);
    for id in [
        "id=\"conversations-ivr_path\"",
        "id=\"conversations-conversation_attribute_1\"",
        "id=\"customers-external_id\"",
        "id=\"worker-team_name\"",
        "id=\"extra-task-vip\"",
        "id=\"worker-free-slots\"",
    ] {
        assert!(dom.contains(id), "Chromium's DOM lacks {id}");
    }

    // A screenshot: a real image of the expected size, with text and tables on it.
    let png = folder.path().join("dictionary.png");
    let screenshot = format!("--screenshot={}", png.display());
    run_chromium(
        &chromium,
        folder.path(),
        &[&screenshot, "--window-size=1280,2000", &url],
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png).expect("Chromium wrote the screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut pixels).expect("a frame");
    assert_eq!((info.width, info.height), (1280, 2000));
    let channels = info.color_type.samples();
    let pixels = &pixels[..info.buffer_size()];
    let mut colours = std::collections::HashSet::new();
    let mut inked = 0usize;
    for pixel in pixels.chunks_exact(channels) {
        colours.insert(pixel[..3.min(channels)].to_vec());
        if pixel[..3.min(channels)].iter().any(|&c| c < 200) {
            inked += 1;
        }
    }
    let total = pixels.len() / channels;
    assert!(
        colours.len() > 50,
        "only {} colours: a blank page?",
        colours.len()
    );
    assert!(
        inked * 100 > total * 2,
        "only {inked} of {total} pixels are dark: no text rendered?"
    );
}

/// Every Markdown table row has as many cell separators (unescaped `|`) as its header.
fn assert_table_rows_keep_their_columns(markdown: &str) {
    let mut header: Option<usize> = None;
    for line in markdown.lines() {
        if !line.starts_with('|') {
            header = None;
            continue;
        }
        let pipes = unescaped_pipes(line);
        match header {
            None => header = Some(pipes),
            Some(expected) => assert_eq!(pipes, expected, "a cell broke this row:\n{line}"),
        }
    }
}

fn unescaped_pipes(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    count
}

/// Elements the template uses; any other `<` would be text that escaped the escaping.
const ELEMENTS: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "p",
    "span", "strong", "code", "nav", "ol", "li", "a", "section", "table", "thead", "tbody", "tr",
    "th", "td", "footer", "wbr",
];
const VOID: &[&str] = &["meta", "wbr"];

/// Tags nest and close, and every `<` opens a known element (text never became markup).
fn assert_well_formed(html: &str) {
    assert!(html.starts_with("<!doctype html>"), "doctype first");
    let mut open: Vec<&str> = Vec::new();
    let mut rest = &html["<!doctype html>".len()..];
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').expect("every tag closes");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or_default();
        assert!(ELEMENTS.contains(&name), "unexpected markup <{tag}>");
        if closing {
            assert_eq!(open.pop(), Some(name), "</{name}> closes the wrong element");
        } else if !VOID.contains(&name) {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "left open: {open:?}");
}

/// Nothing is fetched: no scripts, no external stylesheets, fonts or images.
fn assert_self_contained(html: &str) {
    for needle in [
        "<script",
        "<link",
        "<img",
        "src=",
        "url(",
        "@import",
        "href=\"http",
    ] {
        assert!(!html.contains(needle), "the page refers to {needle}");
    }
}
