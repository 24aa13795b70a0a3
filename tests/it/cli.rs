//! CLI transcripts: `tests/cmd/*.toml` (arguments, stdin, exit code, stdout, stderr), and the
//! `console` blocks of docs/cli.md (run from the repository root).

#[test]
fn cli_transcripts() {
    trycmd::TestCases::new()
        .register_bin("flexmap", trycmd::cargo::cargo_bin!("flexmap"))
        .case("tests/cmd/*.toml")
        .case("docs/cli.md");
}

/// docs/cli.md quotes the `--stdin-filename` transcript (trycmd cannot feed stdin from
/// Markdown): the quoted lines are the test's output.
#[test]
fn docs_quote_the_stdin_filename_transcript() {
    let root = crate::root();
    let docs = std::fs::read_to_string(root.join("docs/cli.md")).expect("docs/cli.md");
    for name in [
        "lint-stdin-filename.stdout",
        "lint-stdin-filename.stderr",
        "lint-stdin-no-filename.stderr",
    ] {
        let text = std::fs::read_to_string(root.join("tests/cmd").join(name)).expect(name);
        assert!(
            docs.contains(&text),
            "docs/cli.md does not quote tests/cmd/{name}:\n{text}"
        );
    }
}
