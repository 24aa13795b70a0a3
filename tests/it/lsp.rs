//! `flexmap lsp` under a real client: `tests/lsp/test_lsp.py` drives the built binary over
//! stdio with pytest-lsp (JSON-RPC, as an editor does), bounded in time. `.ci/setup` installs
//! pytest-lsp.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The whole client session may take this long (it takes about 5 s).
const LIMIT: Duration = Duration::from_secs(120);

#[test]
fn a_real_client_gets_diagnostics_completion_hover_fixes_and_cross_file_findings() {
    let root = super::root();
    let have = Command::new("python3")
        .args(["-c", "import pytest_lsp"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        have,
        "pytest-lsp is missing: run .ci/setup (python3 -m pip install pytest-lsp)"
    );
    let mut child = Command::new("python3")
        .args([
            "-m",
            "pytest",
            "tests/lsp",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
        ])
        .current_dir(&root)
        .env("FLEXMAP_BIN", env!("CARGO_BIN_EXE_flexmap"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the LSP session took over {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        status.success(),
        "pytest-lsp failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("9 passed"), "{stdout}");
}
