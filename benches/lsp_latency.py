#!/usr/bin/env python3
"""Latency of `flexmap lsp`: time from `textDocument/didChange` to the
`textDocument/publishDiagnostics` of that version, against `flexmap lint FILE` of the same
file. A benchmark, not a test (issue 12, "How we will know").

Two cases, generated under $TMPDIR:
  - one 200-rule file (`extra:` with 200 expressions, tables, inputs), no project;
  - a 50-file project (flexmap.toml, flexmap.lock, 8 custom fields, 12 expressions a file),
    one of its files open in the editor.

Plain JSON-RPC over stdio (no client library). The server is started with
`initializationOptions: {"debounceMs": 0}` so the figure is the check itself; an editor
with the default 100 ms typing delay sees 100 ms more. Each change alternates two texts
(a rule added, removed) so every check has work to do.

Usage: python3 benches/lsp_latency.py [BINARY] [RUNS]
       (default target/release/flexmap, built with `cargo build --release --bin flexmap`; 50 runs)
"""

import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/flexmap")
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 50


def rule_file(index: int, expressions: int, custom: bool) -> str:
    lines = [
        "flexmap: 1",
        "target: task",
        "inputs:",
        "  crm.account.id: { type: string, cardinality: high }",
        "tables:",
        f"  t{index}:",
        "    a: Alpha",
        "    b: Beta",
    ]
    if index == 0:
        lines += [
            "conversations:",
            "  ivr_path: ivr.digits | hierarchy",
            "  wrap_up_time: task.wrap_seconds | number",
        ]
    if custom:
        lines += ["custom:", f"  field_{index}:", "    kind: attribute", f"    value: crm.f{index} | trim | lower"]
    lines += ["extra:"]
    lines += [
        f'  key_{index}_{k}: crm.v{k} | trim | lookup(t{index}, "Other") ?? "none"'
        for k in range(expressions)
    ]
    return "\n".join(lines) + "\n"


class Server:
    def __init__(self, root: pathlib.Path):
        self.proc = subprocess.Popen(
            [BIN, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.next_id = 1
        self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root.as_uri(),
                "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
                "initializationOptions": {"debounceMs": 0},
            },
        )
        self.notify("initialized", {})

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self) -> dict:
        length = 0
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the server closed stdout")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))

    def request(self, method: str, params: dict) -> dict:
        request_id = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == request_id and "method" not in message:
                return message

    def notify(self, method: str, params: dict) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, uri: str, version: int) -> list:
        while True:
            message = self.read()
            if message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                if params["uri"] == uri and params.get("version") == version:
                    return params["diagnostics"]

    def close(self) -> None:
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=10)


def lsp_latency(root: pathlib.Path, path: pathlib.Path, runs: int) -> tuple[list, int]:
    server = Server(root)
    uri = path.resolve().as_uri()
    text = path.read_text()
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
    )
    found = len(server.diagnostics(uri, 1))
    edited = text + '  added_key: crm.extra | trim ?? "x"\n'
    times = []
    for version in range(2, runs + 2):
        new = edited if version % 2 == 0 else text
        start = time.perf_counter()
        server.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": new}],
            },
        )
        server.diagnostics(uri, version)
        times.append((time.perf_counter() - start) * 1000)
    server.close()
    return times, found


def lint_latency(root: pathlib.Path, path: pathlib.Path, runs: int) -> list:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [BIN, "lint", "--format", "short", str(path)], cwd=root, capture_output=True, check=False
        )
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(values: list) -> str:
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
    return f"median {statistics.median(values):6.1f} ms  p90 {p90:6.1f} ms"


def main() -> None:
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: cargo build --release --bin flexmap")
    work = pathlib.Path(tempfile.mkdtemp(prefix="flexmap-lsp-latency-"))
    try:
        single = work / "single"
        single.mkdir()
        big = single / "rules.yaml"
        big.write_text(rule_file(0, 200, custom=True))
        project = work / "project"
        project.mkdir()
        (project / "flexmap.toml").write_text("")
        for i in range(50):
            (project / f"r{i:03}.yaml").write_text(rule_file(i, 12, custom=i < 8))
        subprocess.run([BIN, "lock"], cwd=project, capture_output=True, check=False)
        opened = project / "r000.yaml"
        print(f"flexmap lsp latency, {RUNS} changes each (debounceMs 0), binary {BIN}")
        for name, root, path in (
            ("200-rule file", single, big),
            ("50-file project", project, opened),
        ):
            times, found = lsp_latency(root, path, RUNS)
            lint = lint_latency(root, path, RUNS)
            print(f"{name:16} didChange→publishDiagnostics {summary(times)}  ({found} findings at open)")
            print(f"{'':16} flexmap lint FILE             {summary(lint)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
