#!/usr/bin/env bash
# The two Node.js programs of benches/compare.sh alone, interleaved: the hand-written
# benches/compare.js and the `--emit js` module of benches/compare.yaml (through
# benches/compare-module.js), on the same generated records. Checks that both outputs are
# byte-identical, then prints the best and median seconds of each and the ratio of records per
# second (best against best). Quicker than compare.sh when only the module changed.
#
# Usage: benches/compare-node.sh [COUNT]   (default 1000000)   Environment: REPS (default 3), TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
reps=${REPS:-3}
work=${TMPDIR:-/tmp}/flexmap-compare
mkdir -p "$work"
cargo build --release --quiet --bin flexmap
target/release/flexmap build benches/compare.yaml --emit js -o "$work/compare-module.js" 2>/dev/null
input="$work/records-$count.ndjson"
[ -s "$input" ] || python3 benches/gen_records.py "$count" 42 > "$input"
exec python3 - "$work" "$input" "$count" "$reps" <<'PY'
import filecmp, statistics, subprocess, sys, time

work, inp, count, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
programs = [
    ("node compare.js", ["node", "benches/compare.js"]),
    ("node compare-module.js (the `--emit js` module)", ["node", "benches/compare-module.js", f"{work}/compare-module.js"]),
]
times = {name: [] for name, _ in programs}
for _ in range(reps):
    for i, (name, cmd) in enumerate(programs):
        with open(inp, "rb") as fin, open(f"{work}/node-out-{i}.ndjson", "wb") as fout:
            t = time.perf_counter()
            subprocess.run(cmd, stdin=fin, stdout=fout, check=True)
            times[name].append(time.perf_counter() - t)
same = filecmp.cmp(f"{work}/node-out-0.ndjson", f"{work}/node-out-1.ndjson", shallow=False)
print(f"{count} records, {reps} interleaved runs each\n")
print("| program | best s | median s |")
print("|---|---:|---:|")
for name, _ in programs:
    print(f"| {name} | {min(times[name]):.2f} | {statistics.median(times[name]):.2f} |")
hand, module = (min(times[name]) for name, _ in programs)
print(f"\ngenerated module vs compare.js (records/s, best against best): {hand / module:.2f}×")
print("outputs identical: " + ("yes" if same else "NO"))
sys.exit(0 if same else 1)
PY
