#!/usr/bin/env bash
# First look at `flexmap apply` throughput: 1M generated records, run side by side with a
# trivial serde_json parse-and-print of the same file (benches/serde_roundtrip.rs).
# Usage: benches/first-look.sh [COUNT]   (prints a table of times, MB/s and ratios)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
work=${TMPDIR:-/tmp}/flexmap-bench
mkdir -p "$work"
input="$work/records-$count.ndjson"
[ -s "$input" ] || python3 benches/gen_records.py "$count" 42 > "$input"
cargo build --release --quiet --bin flexmap --example serde-roundtrip
rules=rules-examples/inbound-voice.yaml
python3 - "$input" "$rules" <<'PY'
import os, resource, subprocess, sys, time
inp, rules = sys.argv[1], sys.argv[2]
size = os.path.getsize(inp) / 1e6
runs = [
    ("serde_json parse+print (baseline)", ["target/release/examples/serde-roundtrip"]),
    ("flexmap apply --jobs 1", ["target/release/flexmap", "apply", rules, "--jobs", "1"]),
    ("flexmap apply --jobs 2", ["target/release/flexmap", "apply", rules, "--jobs", "2"]),
]
results = []
for name, cmd in runs:
    best = None
    for _ in range(3):
        with open(inp, "rb") as fin, open(os.devnull, "wb") as fout:
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            t = time.perf_counter()
            subprocess.run(cmd, stdin=fin, stdout=fout, stderr=subprocess.DEVNULL, check=False)
            elapsed = time.perf_counter() - t
        best = elapsed if best is None else min(best, elapsed)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results.append((name, best, rss))
base = results[0][1]
print(f"input: {inp} ({size:.0f} MB), rules: {rules}; best of 3 runs each")
print(f"{'program':38} {'seconds':>8} {'MB/s':>8} {'vs baseline':>12} {'peak RSS MB (max so far)':>26}")
for name, t, rss in results:
    print(f"{name:38} {t:8.2f} {size / t:8.0f} {base / t:11.2f}x {rss:26.0f}")
PY
