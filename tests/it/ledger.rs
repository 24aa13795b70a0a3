//! The slot ledger on a project of several rule files: `tests/cases/ledger/base/` is a
//! project (flexmap.toml with `rules` globs, flexmap.lock, task and worker rulesets, and a
//! file outside the globs); each other folder there is a scenario whose files replace the
//! base's (its `SCENARIO` file says what it shows). A snapshot per scenario holds the
//! findings (short and human renderings), the non-free slots, and the change
//! `flexmap lock` would make to flexmap.lock as a diff (or why it refuses).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use flexmap::Project;
use flexmap::diagnostic::render;
use flexmap::ledger::SlotStatus;

use crate::{display, root};

/// Copies `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else if entry.file_name() != "SCENARIO" {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// The scenario folders (every folder but `base`), sorted.
fn scenarios() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("tests/cases/ledger"))
        .expect("cases folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n != "base" && n != "snapshots")
        })
        .collect();
    out.sort();
    out
}

/// The base project with `scenario`'s files laid over it, in a fresh folder.
fn project_for(scenario: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&root().join("tests/cases/ledger/base"), dir.path());
    copy_tree(scenario, dir.path());
    dir
}

fn rendered(scenario: &Path) -> String {
    let dir = project_for(scenario);
    let prefix = format!("{}/", dir.path().display());
    let clean = |text: &str| text.replace(&prefix, "");
    let project = Project::load(dir.path()).expect("project loads");
    let mut out = String::new();
    let about = std::fs::read_to_string(scenario.join("SCENARIO")).expect("SCENARIO file");
    let _ = writeln!(out, "{}", about.trim());
    out.push_str("\n--- findings\n");
    let diagnostics = project.all_diagnostics();
    for d in &diagnostics {
        let _ = writeln!(out, "{}", clean(&render::short(d)));
    }
    out.push('\n');
    for d in &diagnostics {
        let _ = writeln!(out, "{}", clean(&render::human(d, false, 100)));
    }
    let (plan, _) = project.plan_with_lock();
    out.push_str("--- slots in use\n");
    for used in plan.uses.iter().filter(|u| u.status != SlotStatus::Free) {
        let _ = writeln!(
            out,
            "{} {} {} {}{}{}",
            used.slot,
            used.status.name(),
            used.field.as_deref().unwrap_or("-"),
            used.files.join(","),
            if used.previous.is_empty() {
                String::new()
            } else {
                format!(" (was {})", used.previous.join(", "))
            },
            used.paired_with
                .map(|p| format!("(pairs with {p})"))
                .unwrap_or_default()
        );
    }
    out.push_str("--- flexmap lock\n");
    let lock_problems = plan.ledger.as_ref().map_or(0, |l| l.diagnostics.len());
    if lock_problems > 0 {
        let _ = writeln!(out, "refuses: flexmap.lock has problems ({lock_problems})");
    } else if !plan.blocking.is_empty() {
        let _ = writeln!(
            out,
            "refuses: findings need a decision ({})",
            plan.blocking.len()
        );
    } else if plan.lock_changes() {
        let current = plan.ledger.as_ref().map_or("", |l| l.source.text());
        let proposed = plan.proposed_text();
        let diff = similar::TextDiff::from_lines(current, &proposed);
        out.push_str(&diff.unified_diff().context_radius(1).to_string());
    } else {
        out.push_str("up to date\n");
    }
    out
}

#[test]
fn ledger_scenarios() {
    crate::snapshot_each(&scenarios(), "../cases/ledger/snapshots", rendered);
}

/// Every scenario snapshot has its scenario, and the base project itself is clean.
#[test]
fn ledger_snapshots_have_scenarios_and_the_base_is_clean() {
    for snapshot in crate::files("tests/cases/ledger/snapshots", "") {
        let name = snapshot
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name.trim_end_matches(".snap");
        assert!(
            Path::new(&name).extension().is_some_and(|e| e == "snap")
                && root().join("tests/cases/ledger").join(stem).is_dir(),
            "{} has no scenario folder; delete it",
            display(&snapshot)
        );
    }
    let project = Project::load(&root().join("tests/cases/ledger/base")).expect("base loads");
    let findings: Vec<String> = project
        .all_diagnostics()
        .iter()
        .map(render::short)
        .collect();
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(
        project.rulesets.len(),
        4,
        "notes/ is outside the `rules` globs"
    );
}

/// The compiled program, the analysis the linter and `flexmap docs` read, and the lock all
/// agree on a custom field's slot, also for a ruleset compiled on its own path (as
/// `flexmap apply` does, through `Project::compile_file`).
#[test]
fn program_analysis_and_lock_agree() {
    let base = root().join("tests/cases/ledger/base");
    let voice = base.join("rules/voice.yaml");
    let project = Project::find(&voice).expect("project loads");
    let index = project
        .index_of(&voice.display().to_string())
        .expect("voice.yaml is one of the project's rule files");
    let ruleset = &project.rulesets[index];
    let analysis = project.analyze(ruleset).expect("parses");
    let tier = analysis
        .rules
        .iter()
        .find(|r| r.rule.custom.as_deref() == Some("account_tier"))
        .expect("custom field analysed");
    assert_eq!(tier.target, "conversation_attribute_3");
    assert_eq!(
        tier.slot.map(|s| s.to_string()).as_deref(),
        Some("conversation_attribute_3")
    );
    let program = Project::compile_file(&voice).expect("compiles");
    let applied = program.apply(&serde_json::json!({"crm": {"account": {"tier": "Gold"}}}));
    assert_eq!(
        applied.attributes.to_value(),
        serde_json::json!({"conversations": {"conversation_attribute_3": "gold"}})
    );
    let lock = std::fs::read_to_string(base.join("flexmap.lock")).expect("lock");
    assert!(lock.contains("slot = \"conversation_attribute_3\"\nfield = \"account_tier\""));
    // On its own, without the project, the file would take the first free slot instead.
    let alone = flexmap::Ruleset::from_path(&voice)
        .expect("readable")
        .compile()
        .expect("compiles");
    let applied = alone.apply(&serde_json::json!({"crm": {"account": {"tier": "Gold"}}}));
    assert_eq!(
        applied.attributes.to_value(),
        serde_json::json!({"conversations": {"conversation_attribute_1": "gold"}})
    );
}

/// A label in another file keeps its own file in every format: short names it, JSON gives
/// each label a `file`, SARIF a related location with that file's URI and region, and the
/// human form draws it as a related report with its own snippet.
#[test]
fn labels_in_another_file_render_in_every_format() {
    let dir = project_for(&root().join("tests/cases/ledger/kind-changed"));
    let project = Project::load(dir.path()).expect("project loads");
    let diagnostics = project.all_diagnostics();
    let finding = diagnostics
        .iter()
        .find(|d| d.code == flexmap::Code::SlotReassigned)
        .expect("FM203");
    let lock = format!("{}/flexmap.lock", dir.path().display());
    assert!(
        render::short(finding).contains(&format!("(see {lock}:22:8: locked here as")),
        "{}",
        render::short(finding)
    );
    let json: serde_json::Value =
        serde_json::from_str(&render::json(std::slice::from_ref(finding), 1)).expect("JSON");
    let labels = json["diagnostics"][0]["labels"].as_array().expect("labels");
    assert!(
        labels[0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("rules/voice.yaml"))
    );
    assert_eq!(labels[1]["file"].as_str(), Some(lock.as_str()));
    assert_eq!(
        (labels[1]["line"].as_u64(), labels[1]["column"].as_u64()),
        (Some(22), Some(8))
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&render::sarif(std::slice::from_ref(finding))).expect("SARIF");
    let related = &sarif["runs"][0]["results"][0]["relatedLocations"][0]["physicalLocation"];
    assert_eq!(
        related["artifactLocation"]["uri"].as_str(),
        Some(lock.as_str())
    );
    assert_eq!(related["region"]["startLine"].as_i64(), Some(22));
    let human = render::human(finding, false, 100);
    assert!(human.contains(&format!("╭─[{lock}:22:8]")), "{human}");
}

/// `flexmap lint --fix` moves a hand-written slot off a locked one; the fixed text is planned
/// again, so the fix is applied once and the file then lints clean.
#[test]
fn fix_moves_a_hand_written_slot_off_a_locked_one() {
    let dir = project_for(&root().join("tests/cases/ledger/reuse-number"));
    let output = assert_cmd::Command::cargo_bin("flexmap")
        .expect("binary")
        .args(["lint", "--fix", "--format", "short"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("1 fix applied"), "{stderr}");
    let chat = std::fs::read_to_string(dir.path().join("rules/chat.yaml")).expect("chat");
    assert!(
        chat.ends_with("  conversation_attribute_6: chat.priority\n"),
        "{chat}"
    );
}

/// `flexmap slots --format json` lists every slot of every section once, with its status.
#[test]
fn slots_json_lists_every_slot() {
    let output = assert_cmd::Command::cargo_bin("flexmap")
        .expect("binary")
        .args(["slots", "--format", "json", "tests/cases/ledger/base"])
        .current_dir(root())
        .output()
        .expect("runs");
    assert!(output.status.success());
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let slots = document["slots"].as_array().expect("slots");
    assert_eq!(
        slots.len(),
        30 + 6 + 6,
        "conversations 10/10/10, customers 3/3, worker 3/3"
    );
    let status = |slot: &str| {
        slots
            .iter()
            .find(|s| s["slot"] == slot)
            .and_then(|s| s["status"].as_str())
            .map(String::from)
    };
    assert_eq!(
        status("conversation_attribute_2").as_deref(),
        Some("retired")
    );
    assert_eq!(
        status("conversation_attribute_3").as_deref(),
        Some("locked")
    );
    assert_eq!(status("conversation_label_5").as_deref(), Some("hand"));
    // Attribute 4 is unused, but label 4 holds `account_id`: the allocator never hands it
    // out, so it is not free.
    assert_eq!(
        status("conversation_attribute_4").as_deref(),
        Some("paired")
    );
    let attribute_4 = slots
        .iter()
        .find(|s| s["slot"] == "conversation_attribute_4")
        .expect("listed");
    assert_eq!(attribute_4["paired_with"], "conversation_label_4");
    assert_eq!(status("conversation_attribute_6").as_deref(), Some("free"));
}

/// A folder without flexmap.toml or flexmap.lock is no project: its files stand alone (each
/// custom field takes its own file's first free slot, and two files may write one target),
/// exactly as `flexmap apply` compiles them one by one.
#[test]
fn a_folder_without_markers_is_no_project() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = "flexmap: 1\ntarget: task\ncustom:\n  tier:\n    kind: attribute\n    value: crm.tier\nconversations:\n  language: ivr.language\n";
    std::fs::write(dir.path().join("a.yaml"), rules).expect("write");
    std::fs::write(dir.path().join("b.yaml"), rules.replace("tier", "segment")).expect("write");
    let project = Project::load(dir.path()).expect("loads");
    assert!(project.plan.is_none());
    let findings: Vec<String> = project
        .all_diagnostics()
        .iter()
        .map(render::short)
        .collect();
    assert!(findings.is_empty(), "{findings:#?}");
    for ruleset in &project.rulesets {
        let analysis = ruleset.analyze_with(&project.config).expect("parses");
        assert_eq!(analysis.rules[0].target, "conversation_attribute_1");
    }
}

/// `flexmap lock` refuses while a rule file does not load: its custom fields would look
/// removed, and their slots would be retired.
#[test]
fn lock_refuses_while_a_rule_file_does_not_load() {
    let dir = project_for(&root().join("tests/cases/ledger/clean"));
    let lock_before = std::fs::read_to_string(dir.path().join("flexmap.lock")).expect("lock");
    std::fs::write(
        dir.path().join("rules/voice.yaml"),
        "flexmap: 1\ntarget: task\ncustom:\n  account_tier: [unclosed\n",
    )
    .expect("write");
    let output = assert_cmd::Command::cargo_bin("flexmap")
        .expect("binary")
        .args(["lock", "--format", "short"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("rules/voice.yaml:4:") && stderr.contains("FM001"),
        "{stderr}"
    );
    assert!(stderr.contains("flexmap.lock not written"), "{stderr}");
    let lock_after = std::fs::read_to_string(dir.path().join("flexmap.lock")).expect("lock");
    assert_eq!(lock_before, lock_after);
}

/// The fixes take the slots the allocator gives: after `flexmap lint --fix`, FM205 still
/// promises `survey_done` the slot it promised before, the FM201 and FM204 fixes wrote
/// slots no other field (or lock entry) holds, and nothing pairs unrelated meanings.
#[test]
fn fixes_follow_the_allocator_and_keep_the_promised_slot() {
    let dir = project_for(&root().join("tests/cases/ledger/allocator-advice"));
    let lint = |args: &[&str]| {
        let output = assert_cmd::Command::cargo_bin("flexmap")
            .expect("binary")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let before = lint(&["lint", "--format", "short"]);
    assert!(
        before.contains("keeps `conversation_attribute_6`"),
        "{before}"
    );
    lint(&["lint", "--fix", "--format", "short"]);
    let voice = std::fs::read_to_string(dir.path().join("rules/voice.yaml")).expect("voice");
    assert!(
        voice.contains("  conversation_attribute_8: ivr.segment\n"),
        "{voice}"
    );
    assert!(
        voice.contains("  conversation_label_7: crm.account_number\n"),
        "{voice}"
    );
    let after = lint(&["lint", "--format", "short"]);
    assert!(
        after.contains("keeps `conversation_attribute_6`"),
        "{after}"
    );
    for code in ["FM201", "FM203", "FM204", "FM207"] {
        assert!(!after.contains(code), "{code} after --fix:\n{after}");
    }
}
