//! `flexmap fmt`: idempotent on every bundled example and test case, `--check` clean after
//! formatting, and a formatted file lints to exactly the same findings as before.

use std::path::{Path, PathBuf};

use flexmap::format::{FormatError, format_source};
use flexmap::source::SourceFile;
use flexmap::{Config, Ruleset};

use crate::root;

/// Every `*.yaml` / `*.yml` under `dir`, recursively, sorted.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    out.sort();
}

fn corpus(dirs: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in dirs {
        yaml_files(&root().join(dir), &mut files);
    }
    files
}

/// The findings of a file as (code, message), in order: what must not change.
fn findings(name: &str, text: &str, config: &Config) -> Vec<(String, String)> {
    Ruleset::from_str(text, name)
        .diagnostics_with(config)
        .into_iter()
        .map(|d| (d.code.as_str().to_string(), d.message))
        .collect()
}

#[test]
fn formatting_is_idempotent_on_every_example_and_case() {
    let mut formatted = 0;
    for path in corpus(&["rules-examples", "tests/cases"]) {
        let text = std::fs::read_to_string(&path).expect("test setup");
        let name = path.display().to_string();
        match format_source(&SourceFile::new(name.as_str(), text.as_str())) {
            Ok(once) => {
                let twice = format_source(&SourceFile::new(name.as_str(), once.as_str()))
                    .unwrap_or_else(|e| panic!("{name}: formatted text refused: {e:?}"));
                assert_eq!(once, twice, "{name}: fmt twice changed it");
                formatted += 1;
            }
            // A file whose YAML does not parse is refused with lint's diagnostic.
            Err(FormatError::Invalid(diagnostics)) => {
                assert!(
                    diagnostics
                        .iter()
                        .any(|d| matches!(d.code.as_str(), "FM001" | "FM901")),
                    "{name}: refused without a YAML diagnostic: {diagnostics:?}"
                );
                assert!(yaml_parse_fails(&text, &name), "{name}");
            }
            Err(FormatError::Unsupported(reason)) => panic!("{name}: {reason}"),
        }
    }
    assert!(formatted > 50, "only {formatted} files formatted");
}

fn yaml_parse_fails(text: &str, name: &str) -> bool {
    flexmap::rules_file::yaml::parse(&SourceFile::new(name, text)).is_err()
}

#[test]
fn a_formatted_file_lints_to_the_same_findings() {
    let mut compared = 0;
    for path in corpus(&["tests/cases/lint", "rules-examples"]) {
        let text = std::fs::read_to_string(&path).expect("test setup");
        if !flexmap::rules_file::looks_like_rule_file(&text) {
            continue;
        }
        let name = path.display().to_string();
        let Ok(formatted) = format_source(&SourceFile::new(name.as_str(), text.as_str())) else {
            continue;
        };
        let config = Config::find(&path);
        assert_eq!(
            findings(&name, &text, &config),
            findings(&name, &formatted, &config),
            "{name}: formatting changed the findings"
        );
        compared += 1;
    }
    assert!(compared > 30, "only {compared} files compared");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("test setup");
    for entry in std::fs::read_dir(from).expect("test setup").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("test setup");
        }
    }
}

fn flexmap(args: &[&str], dir: &Path) -> std::process::Output {
    std::process::Command::new(assert_cmd::cargo::cargo_bin!("flexmap"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("test setup")
}

#[test]
fn check_passes_on_the_examples_and_cases_after_fmt() {
    let temp = tempfile::tempdir().expect("temporary folder");
    copy_tree(
        &root().join("rules-examples"),
        &temp.path().join("rules-examples"),
    );
    copy_tree(&root().join("tests/cases"), &temp.path().join("cases"));
    let mut files = Vec::new();
    yaml_files(temp.path(), &mut files);
    // Files whose YAML does not parse are refused and stay as they are.
    let parsable: Vec<String> = files
        .iter()
        .filter(|p| !yaml_parse_fails(&std::fs::read_to_string(p).expect("test setup"), ""))
        .map(|p| p.display().to_string())
        .collect();
    let broken: Vec<PathBuf> = files
        .iter()
        .filter(|p| !parsable.contains(&p.display().to_string()))
        .cloned()
        .collect();
    let before: Vec<String> = broken
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("test setup"))
        .collect();
    let mut args = vec!["fmt"];
    args.extend(parsable.iter().map(String::as_str));
    let first = flexmap(&args, temp.path());
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    args.insert(1, "--check");
    let check = flexmap(&args, temp.path());
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(check.stdout.is_empty());
    // The broken files: refused with their diagnostic (exit 1), never touched.
    let mut args = vec!["fmt"];
    let names: Vec<String> = broken.iter().map(|p| p.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let refused = flexmap(&args, temp.path());
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("FM001"));
    for (path, text) in broken.iter().zip(before) {
        assert_eq!(
            std::fs::read_to_string(path).expect("test setup"),
            text,
            "{}",
            path.display()
        );
    }
}
