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
