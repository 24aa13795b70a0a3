//! `flexmap.lock` cannot be lost: an empty lock is refused (never read as "no lock"), and
//! concurrent `flexmap lock` and `flexmap lint` runs leave exactly the lock a serial run
//! writes (atomic writes, and an advisory lock around read-plan-write).

use std::path::Path;
use std::process::{Command, Stdio};

/// Six custom fields; the lock below was written for them.
const BEFORE: &str = "flexmap: 1
target: task
custom:
  f1: { kind: attribute, value: crm.f1 }
  f2: { kind: attribute, value: crm.f2 }
  f3: { kind: attribute, value: crm.f3 }
  f4: { kind: attribute, value: crm.f4 }
  f5: { kind: attribute, value: crm.f5 }
  f6: { kind: attribute, value: crm.f6 }
";

/// `f1` removed and `g1` added: the lock retires f1's slot and gives g1 a new one, where a
/// plan from no lock would move every field.
const AFTER: &str = "flexmap: 1
target: task
custom:
  f2: { kind: attribute, value: crm.f2 }
  f3: { kind: attribute, value: crm.f3 }
  f4: { kind: attribute, value: crm.f4 }
  f5: { kind: attribute, value: crm.f5 }
  f6: { kind: attribute, value: crm.f6 }
  g1: { kind: attribute, value: crm.g1 }
";

fn flexmap(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("flexmap"));
    command
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// A project with `AFTER` and the lock `BEFORE` was given.
fn project_with_old_lock() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("flexmap.toml"), "").expect("write toml");
    std::fs::write(dir.path().join("rules.yaml"), BEFORE).expect("write rules");
    let status = flexmap(dir.path(), &["lock"]).status().expect("run lock");
    assert!(status.success());
    let old_lock = std::fs::read_to_string(dir.path().join("flexmap.lock")).expect("lock");
    std::fs::write(dir.path().join("rules.yaml"), AFTER).expect("write rules");
    (dir, old_lock)
}

#[test]
fn an_empty_lock_is_refused_not_replanned() {
    let (dir, _) = project_with_old_lock();
    let lock = dir.path().join("flexmap.lock");
    std::fs::write(&lock, "").expect("empty the lock");
    let output = Command::new(assert_cmd::cargo::cargo_bin!("flexmap"))
        .args(["lock", "--format", "short"])
        .current_dir(dir.path())
        .output()
        .expect("run lock");
    // `lock` prints its refusals on stderr, with the line that says nothing was written.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("flexmap.lock:1:1: error[FM006] flexmap.lock is empty"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&lock).expect("lock"), b"", "left as it was");
    let lint = Command::new(assert_cmd::cargo::cargo_bin!("flexmap"))
        .args(["lint", "--format", "short"])
        .current_dir(dir.path())
        .output()
        .expect("run lint");
    assert_eq!(
        lint.status.code(),
        Some(1),
        "lint reports the empty lock too"
    );
}

#[test]
fn concurrent_lock_and_lint_runs_leave_the_serial_lock() {
    let (dir, old_lock) = project_with_old_lock();
    let lock = dir.path().join("flexmap.lock");
    assert!(
        flexmap(dir.path(), &["lock"])
            .status()
            .expect("lock")
            .success()
    );
    let serial = std::fs::read_to_string(&lock).expect("serial lock");
    assert_ne!(serial, old_lock);
    assert!(serial.contains("retired"), "{serial}");
    for round in 0..8 {
        std::fs::write(&lock, &old_lock).expect("restore the old lock");
        let mut children = Vec::new();
        for i in 0..7 {
            let args: &[&str] = if i % 2 == 0 { &["lock"] } else { &["lint"] };
            children.push(flexmap(dir.path(), args).spawn().expect("spawn"));
        }
        for mut child in children {
            child.wait().expect("wait");
        }
        let after = std::fs::read_to_string(&lock).expect("lock after the round");
        assert_eq!(after, serial, "round {round} left another lock");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".flexmap-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

/// A project whose lock has 20,000 `[[slot]]` entries: ten active fields, then every slot
/// repeated as retired entries (the lock format's only way to be that long), so `flexmap
/// lock` refuses with 19,990 findings drawn in human form.
fn project_with_huge_lock() -> tempfile::TempDir {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rules = String::from("flexmap: 1\ntarget: task\ncustom:\n");
    for n in 1..=10 {
        let _ = writeln!(rules, "  f{n}: {{ kind: attribute, value: crm.f{n} }}");
    }
    std::fs::write(dir.path().join("rules.yaml"), rules).expect("rules");
    let mut lock = String::from("version = 1\n");
    for i in 0..20_000 {
        let n = i % 10 + 1;
        let _ = write!(
            lock,
            "\n[[slot]]\nslot = \"conversation_attribute_{n}\"\nkind = \"attribute\"\nscope = \"conversations\"\n"
        );
        if i < 10 {
            let _ = writeln!(lock, "field = \"f{n}\"\nfiles = [\"rules.yaml\"]");
        } else {
            let _ = writeln!(lock, "field = \"old{i}\"\nretired = true");
        }
    }
    std::fs::write(dir.path().join("flexmap.lock"), lock).expect("lock");
    dir
}

/// `flexmap lock` on a 20,000-entry lock is near-linear (issue 10 item 9: over 30 s, while
/// `lint` took 0.15 s): miette read each snippet by counting lines from the start of the
/// file. The bound is generous for a debug build on a shared machine.
#[test]
fn lock_of_a_20000_entry_lock_is_near_linear() {
    let dir = project_with_huge_lock();
    let before = std::fs::read(dir.path().join("flexmap.lock")).expect("lock");
    let started = std::time::Instant::now();
    let output = flexmap(dir.path(), &["lock", "--color", "never"])
        .stderr(Stdio::piped())
        .output()
        .expect("run lock");
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        &stderr[stderr.len().saturating_sub(500)..]
    );
    assert!(
        stderr.contains("has two entries in flexmap.lock"),
        "human findings drawn"
    );
    assert!(stderr.contains("flexmap.lock not written"));
    assert_eq!(
        std::fs::read(dir.path().join("flexmap.lock")).expect("lock"),
        before
    );
    assert!(
        took.as_secs() < 30,
        "flexmap lock took {took:?} on a 20,000-entry lock"
    );
}
