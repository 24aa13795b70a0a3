//! CLI transcripts: `tests/cmd/*.toml` (arguments, stdin, exit code, stdout, stderr).

#[test]
fn cli_transcripts() {
    trycmd::TestCases::new()
        .register_bin("flexmap", trycmd::cargo::cargo_bin!("flexmap"))
        .case("tests/cmd/*.toml");
}
