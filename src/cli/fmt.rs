//! `flexmap fmt`: give rule files one canonical layout (see `flexmap::format`), in place,
//! or check (`--check`) or show (`--diff`) what would change.

use std::path::{Path, PathBuf};

use flexmap::format::{FormatError, format_source};
use flexmap::fsio;
use flexmap::rules_file::yaml::MAX_FILE_BYTES;
use flexmap::source::SourceFile;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, OutputArgs};

/// Arguments of `flexmap fmt`.
#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Rule files or folders (a folder gives its rule files); default: the project around
    /// the current folder.
    pub paths: Vec<PathBuf>,
    /// Write nothing; list the files that would change and exit 1 if any would (for CI).
    #[arg(long)]
    pub check: bool,
    /// Write nothing; print a unified diff of each file that would change (exit 1 if any).
    #[arg(long)]
    pub diff: bool,
    /// Skip named files that are not rule files (first key not `flexmap:`, `*.test.yaml`,
    /// paths excluded in flexmap.toml), for hooks that pass every staged YAML file.
    #[arg(long)]
    pub only_rule_files: bool,
    #[command(flatten)]
    pub diagnostics: OutputArgs,
}

/// Runs `flexmap fmt`.
pub fn run(args: &FmtArgs) -> u8 {
    let files = match files(&args.paths) {
        Ok(files) if args.only_rule_files => {
            files.into_iter().filter(|p| is_rule_file(p)).collect()
        }
        Ok(files) => files,
        Err(message) => {
            eprintln!("flexmap: {message}");
            return EXIT_USAGE;
        }
    };
    let mut changed = 0usize;
    let mut refused = 0usize;
    let mut failed = false;
    for path in &files {
        let name = path.display().to_string();
        let (bytes, stamp) = match fsio::read_stamped(path, MAX_FILE_BYTES as u64) {
            Ok(read) => read,
            Err(e) => {
                eprintln!("flexmap: cannot read {name}: {e}");
                failed = true;
                continue;
            }
        };
        let Ok(text) = String::from_utf8(bytes) else {
            eprintln!("flexmap fmt: {name} is not UTF-8; left as it is");
            refused += 1;
            continue;
        };
        let source = SourceFile::new(name.as_str(), text.as_str());
        let formatted = match format_source(&source) {
            Ok(formatted) => formatted,
            Err(FormatError::Invalid(diagnostics)) => {
                super::print_diagnostics(&diagnostics, 1, &args.diagnostics, true);
                eprintln!("flexmap fmt: {name} does not parse; left as it is");
                refused += 1;
                continue;
            }
            Err(FormatError::Unsupported(reason)) => {
                eprintln!("flexmap fmt: {name}: {reason}");
                refused += 1;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if args.diff {
            print!(
                "{}",
                similar::TextDiff::from_lines(text.as_str(), formatted.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{name}"), &format!("b/{name}"))
            );
        } else if args.check {
            println!("{name}");
        } else {
            match fsio::write_if_unchanged(
                path,
                formatted.as_bytes(),
                Some(&stamp),
                MAX_FILE_BYTES as u64,
            ) {
                Ok(()) => eprintln!("flexmap fmt: formatted {name}"),
                Err(e) => {
                    eprintln!("flexmap: cannot write {name}: {e}");
                    failed = true;
                }
            }
        }
    }
    let verb = if args.check || args.diff {
        "would be reformatted"
    } else {
        "reformatted"
    };
    eprintln!(
        "flexmap fmt: {} file{}, {changed} {verb}, {refused} left as they are",
        files.len(),
        flexmap::diagnostic::plural(files.len())
    );
    if failed {
        EXIT_USAGE
    } else if refused > 0 || ((args.check || args.diff) && changed > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// The files to format: files as named, the rule files of named folders, or the project's.
fn files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    if paths.is_empty() {
        let project = flexmap::project::Project::find(Path::new("."))
            .map_err(|e| format!("cannot read the current folder: {e}"))?;
        out.extend(rule_files(&project));
        return Ok(out);
    }
    for path in paths {
        if path.is_dir() {
            let project = flexmap::project::Project::load(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            out.extend(rule_files(&project));
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn rule_files(project: &flexmap::project::Project) -> impl Iterator<Item = PathBuf> + '_ {
    project
        .rulesets
        .iter()
        .map(|r| PathBuf::from(r.source().name()))
}

/// What `lint --only-rule-files` keeps: a rule-file name, not excluded, starting with `flexmap:`.
fn is_rule_file(path: &Path) -> bool {
    flexmap::project::is_rule_file_name(path)
        && !flexmap::Config::find(path).excludes(path)
        && fsio::read_regular_bounded(path, MAX_FILE_BYTES as u64)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .is_some_and(|text| flexmap::rules_file::looks_like_rule_file(&text))
}
