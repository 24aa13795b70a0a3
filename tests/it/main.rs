//! The one integration-test binary: examples, data-driven cases, CLI transcripts.

mod agreement;
mod apply_cases;
mod audit;
mod authoring;
mod browser;
mod cli;
mod dictionary;
mod docs;
mod examples;
mod filters;
mod fmt;
mod fuzz_regressions;
mod hostile_numbers;
mod hostile_runtime;
mod http_client;
mod js;
mod ledger;
mod limits;
mod lint_cases;
mod lockfile;
mod lsp;
mod positions;
mod precommit;
mod properties;
mod ruletest;
mod sarif;
mod schema;
mod serve;
mod stream;

use std::path::{Path, PathBuf};

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Files in `dir` (relative to the crate root) ending in `suffix`, sorted.
///
/// # Panics
/// When the folder is missing.
pub fn files(dir: &str, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .expect("test folder exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}

/// A path shown relative to the crate root, with `/` separators (stable in snapshots).
pub fn display(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Snapshots `render(file)` for every file in `cases`, named by the file's stem, under
/// `snapshots` (relative to `tests/it/`).
///
/// # Panics
/// When `cases` is empty, or a snapshot differs.
pub fn snapshot_each(cases: &[PathBuf], snapshots: &str, render: impl Fn(&Path) -> String) {
    assert!(!cases.is_empty(), "no cases for {snapshots}");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(snapshots);
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for case in cases {
            let name = case
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            insta::assert_snapshot!(name, render(case));
        }
    });
}

/// True when expected files should be rewritten instead of compared (`UPDATE_EXPECT=1`).
pub fn updating() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some()
}
