//! `flexmap lock [--check]`: assign slots to the project's custom fields and write
//! `flexmap.lock`; with `--check`, fail (exit 1) with a diff when the lock would change.

use std::path::PathBuf;

use flexmap::Diagnostic;
use flexmap::ledger::{self, LockEntry};

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, OutputArgs};

/// Arguments of `flexmap lock`.
#[derive(clap::Args, Debug)]
pub struct LockArgs {
    /// A folder inside the project (default: the current folder); the lock is written at
    /// the project root, beside flexmap.toml.
    pub path: Option<PathBuf>,
    /// Do not write: exit 1 and print a diff when flexmap.lock would change (for CI).
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs `flexmap lock`.
pub fn run(args: &LockArgs) -> u8 {
    let project = match super::find_project(args.path.as_deref()) {
        Ok(project) => project,
        Err(code) => return code,
    };
    let lock_path = project.lock_path();
    // Read-plan-write under an advisory lock of the project folder: concurrent `flexmap
    // lock` runs serialise, so none plans from a lock another is replacing.
    let _guard = match flexmap::fsio::FolderLock::exclusive(&project.root) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("flexmap: cannot lock {}: {e}", project.root.display());
            return EXIT_USAGE;
        }
    };
    let (plan, lock_problems) = project.plan_with_lock();
    // A lock that cannot be read is never overwritten: its retired slots would be lost.
    let mut refusals: Vec<Diagnostic> = lock_problems
        .into_iter()
        .chain(project.diagnostics.iter().cloned())
        .filter(Diagnostic::is_error)
        .collect();
    // A rule file that does not load hides its custom fields, which would look removed.
    for ruleset in &project.rulesets {
        refusals.extend(
            ruleset
                .load_diagnostics()
                .iter()
                .filter(|d| d.is_error())
                .cloned(),
        );
    }
    if refusals.is_empty() {
        refusals.extend(plan.blocking.iter().cloned());
    }
    if !refusals.is_empty() {
        flexmap::diagnostic::sort(&mut refusals);
        // The lock's own problems come both from the project and from this plan.
        refusals.dedup_by(|a, b| {
            flexmap::diagnostic::render::short(a) == flexmap::diagnostic::render::short(b)
        });
        super::print_diagnostics(&refusals, project.rulesets.len(), &args.output, true);
        eprintln!(
            "flexmap: {} not {}: fix the findings above first",
            lock_path.display(),
            if args.check { "checked" } else { "written" }
        );
        return EXIT_FINDINGS;
    }
    let current = plan
        .ledger
        .as_ref()
        .map_or("", |l| l.source.text())
        .to_string();
    let proposed = plan.proposed_text();
    let old_entries = plan.ledger.as_ref().map_or(&[][..], |l| &l.entries[..]);
    let changes = changes(old_entries, &plan.proposed);
    if current == proposed {
        eprintln!("flexmap: {} is up to date", lock_path.display());
        return EXIT_OK;
    }
    for change in &changes {
        eprintln!("  {change}");
    }
    if args.check {
        let name = lock_path.display().to_string();
        print!(
            "{}",
            similar::TextDiff::from_lines(&current, &proposed)
                .unified_diff()
                .context_radius(2)
                .header(&format!("a/{name}"), &format!("b/{name}"))
        );
        eprintln!(
            "flexmap: {} is out of date ({}); run `flexmap lock` and commit it",
            lock_path.display(),
            count(changes.len(), "change")
        );
        return EXIT_FINDINGS;
    }
    if let Err(code) = write_lock(&lock_path, &current, &proposed) {
        return code;
    }
    eprintln!(
        "flexmap: wrote {} ({}); commit it",
        lock_path.display(),
        count(changes.len(), "change")
    );
    EXIT_OK
}

use flexmap::diagnostic::count;

/// Writes the lock atomically, and only when the file still holds `read` (the text the plan
/// was made from; empty when there was no lock): another program's change since the read
/// is never overwritten (flexmap's own runs are serialised by the folder lock).
fn write_lock(lock_path: &std::path::Path, read: &str, proposed: &str) -> Result<(), u8> {
    use flexmap::fsio::{MAX_PROJECT_FILE_BYTES, Stamp, WriteError, write_if_unchanged};
    // An empty file is refused before planning, so empty text means "no lock file".
    let expected = (!read.is_empty()).then(|| Stamp::of(read.as_bytes()));
    match write_if_unchanged(
        lock_path,
        proposed.as_bytes(),
        expected.as_ref(),
        MAX_PROJECT_FILE_BYTES,
    ) {
        Ok(()) => Ok(()),
        Err(WriteError::Changed) => {
            eprintln!(
                "flexmap: {} changed on disk while flexmap planned it; nothing was written: run `flexmap lock` again",
                lock_path.display()
            );
            Err(EXIT_FINDINGS)
        }
        Err(e) => {
            eprintln!("flexmap: cannot write {}: {e}", lock_path.display());
            Err(EXIT_USAGE)
        }
    }
}

/// One line per slot whose entry changes.
fn changes(old: &[LockEntry], new: &[LockEntry]) -> Vec<String> {
    let mut out = Vec::new();
    for entry in new {
        let files = entry.files.join(", ");
        match old.iter().find(|e| e.slot == entry.slot) {
            None => out.push(format!("+ {}  {} ({files})", entry.slot, entry.field)),
            Some(before) if before.field != entry.field => out.push(format!(
                "~ {}  {} -> {} ({files}){}",
                entry.slot,
                before.field,
                entry.field,
                if before.retired {
                    ", re-using a retired slot"
                } else {
                    ", renamed"
                }
            )),
            Some(before) if entry.retired && !before.retired => out.push(format!(
                "- {}  {} retired (no rule file declares it; the slot is never re-used implicitly)",
                entry.slot, entry.field
            )),
            Some(before) if before.files != entry.files => out.push(format!(
                "~ {}  {}: files {} -> {files}",
                entry.slot,
                entry.field,
                before.files.join(", ")
            )),
            Some(_) => {}
        }
    }
    if out.is_empty() {
        out.push(format!(
            "~ {} rewritten in the form `flexmap lock` writes",
            ledger::LOCK_FILE
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::write_lock;

    /// The lock is written only when it still holds what the plan read.
    #[test]
    fn a_lock_changed_since_it_was_read_is_not_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("flexmap.lock");
        std::fs::write(&path, "version = 1\n# edited by someone else\n").expect("write");
        assert!(write_lock(&path, "version = 1\n", "version = 1\n# planned\n").is_err());
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "version = 1\n# edited by someone else\n"
        );
        // A lock that appeared since "no lock" was read is not overwritten either.
        assert!(write_lock(&path, "", "version = 1\n# planned\n").is_err());
        // Unchanged: written.
        let now = std::fs::read_to_string(&path).expect("read");
        assert!(write_lock(&path, &now, "version = 1\n# planned\n").is_ok());
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "version = 1\n# planned\n"
        );
    }
}
