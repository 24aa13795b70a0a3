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
    if let Err(e) = flexmap::fsio::write_atomic(&lock_path, proposed.as_bytes()) {
        eprintln!("flexmap: cannot write {}: {e}", lock_path.display());
        return EXIT_USAGE;
    }
    eprintln!(
        "flexmap: wrote {} ({}); commit it",
        lock_path.display(),
        count(changes.len(), "change")
    );
    EXIT_OK
}

use flexmap::diagnostic::count;

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
