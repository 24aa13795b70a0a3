#!/usr/bin/env bash
# `flexmap lint` of a generated 200-file project (a flexmap.toml, a flexmap.lock, 8 custom
# fields, 12 expressions per file), run side by side for two binaries, alternating, so a
# change to the project-wide checks (slot plan, FM202 across files) is measured as a ratio.
# Usage: benches/lint-project.sh BASELINE_BINARY [CANDIDATE_BINARY] [RUNS]
#   e.g. build the baseline from another commit into /tmp/flexmap-base first.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?give the baseline flexmap binary}
candidate=${2:-target/release/flexmap}
runs=${3:-30}
[ "$candidate" != target/release/flexmap ] || cargo build --release --quiet --bin flexmap
work=${TMPDIR:-/tmp}/flexmap-lint-project
rm -rf "$work" && mkdir -p "$work"
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
for i in range(200):
    lines = ["flexmap: 1", "target: task", "inputs:",
             "  crm.account.id: { type: string, cardinality: high }",
             "tables:", f"  t{i}:", "    a: Alpha", "    b: Beta"]
    if i < 8:
        lines += ["custom:", f"  field_{i}:", "    kind: attribute", f"    value: crm.f{i} | trim | lower"]
    lines += ["extra:"]
    lines += [f"  key_{i}_{k}: crm.v{k} | trim | lookup(t{i}, \"Other\") ?? \"none\"" for k in range(12)]
    open(f"{work}/r{i:03}.yaml", "w").write("\n".join(lines) + "\n")
open(f"{work}/flexmap.toml", "w").write("")
PY
(cd "$work" && "$OLDPWD/$candidate" lock >/dev/null 2>&1 || true)
python3 - "$work" "$base" "$candidate" "$runs" <<'PY'
import os, statistics, subprocess, sys, time
work, base, cand, runs = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3]), int(sys.argv[4])
times = {base: [], cand: []}
for _ in range(runs):
    for binary in (base, cand):
        t = time.perf_counter()
        subprocess.run([binary, "lint", "--format", "short"], cwd=work, capture_output=True)
        times[binary].append((time.perf_counter() - t) * 1000)
for name, binary in (("baseline", base), ("candidate", cand)):
    v = times[binary]
    print(f"{name:10} median {statistics.median(v):6.1f} ms  min {min(v):6.1f} ms")
print(f"ratio candidate/baseline: median {statistics.median(times[cand]) / statistics.median(times[base]):.2f}, "
      f"min {min(times[cand]) / min(times[base]):.2f}")
PY
