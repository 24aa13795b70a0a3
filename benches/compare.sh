#!/usr/bin/env bash
# flexmap apply against a typed hand-written serde_json program, jq and Node.js on the same
# generated records and the same mapping (benches/compare.yaml, handwritten.rs, compare.jq,
# compare.js, and the module `flexmap build --emit js` generates, run by compare-module.js).
# Checks that every output is byte-identical, then prints Markdown tables:
# throughput ratios, peak RSS at 100k vs COUNT records, `flexmap --version` and `flexmap lint`
# of a 200-file project.
#
# Usage: benches/compare.sh [COUNT]        (default 1000000 records, about 1 GB)
# Environment: REPS (runs per program, best is kept; default 3), JQ_RECORDS (jq is slow, so it
# maps only the first JQ_RECORDS records, default 100000; its ratio is per record), TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
reps=${REPS:-3}
jq_count=${JQ_RECORDS:-100000}
if [ "$jq_count" -gt "$count" ]; then jq_count=$count; fi
small=100000
if [ "$small" -gt "$count" ]; then small=$count; fi
work=${TMPDIR:-/tmp}/flexmap-compare
mkdir -p "$work"

need_apt=()
command -v jq >/dev/null || need_apt+=(jq)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing ${need_apt[*]} with apt-get" >&2
    apt-get update -qq >&2 && apt-get install -y -qq "${need_apt[@]}" >&2
fi
if ! command -v hyperfine >/dev/null; then
    apt-get install -y -qq hyperfine >/dev/null 2>&1 || true
fi
command -v node >/dev/null || { echo "compare.sh: node (Node.js) is required" >&2; exit 2; }

cargo build --release --quiet --bin flexmap --example handwritten --example serde-roundtrip
target/release/flexmap build benches/compare.yaml --emit js -o "$work/compare-module.js" 2>/dev/null

input="$work/records-$count.ndjson"
[ -s "$input" ] || python3 benches/gen_records.py "$count" 42 > "$input"
head -n "$small" "$input" > "$work/records-small.ndjson"
head -n "$jq_count" "$input" > "$work/records-jq.ndjson"

# 200 rule files for the lint timing: 50 team folders, each a copy of the example project
# (its four rulesets, flexmap.toml and flexmap.lock; not broken/). One folder of 200 copies
# would be one project whose rulesets all write the same targets (FM202 everywhere).
project="$work/lint-project"
rm -rf "$project" && mkdir -p "$project"
for i in $(seq -w 1 50); do
    team="$project/team-$i"
    mkdir -p "$team"
    cp rules-examples/flexmap.toml rules-examples/flexmap.lock "$team/"
    for file in rules-examples/*.yaml; do
        case "$file" in *.test.yaml) continue ;; esac
        cp "$file" "$team/"
    done
done

exec python3 - "$work" "$input" "$count" "$reps" "$jq_count" "$small" "$project" <<'PY'
import filecmp, os, platform, shutil, subprocess, sys, time

work, inp, count, reps, jq_count, small, project = sys.argv[1:]
count, reps, jq_count, small = int(count), int(reps), int(jq_count), int(small)
flexmap = "target/release/flexmap"
rules = "benches/compare.yaml"
jq_inp = f"{work}/records-jq.ndjson"
small_inp = f"{work}/records-small.ndjson"

def run(name, cmd, path, out):
    """Best wall time of `reps` runs and the largest peak RSS (MB), output kept in `out`."""
    best, rss = None, 0
    for _ in range(reps):
        with open(path, "rb") as fin, open(out, "wb") as fout:
            t = time.perf_counter()
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f"{work}/rss"] + cmd,
                           stdin=fin, stdout=fout, stderr=subprocess.DEVNULL, check=False)
            elapsed = time.perf_counter() - t
        best = elapsed if best is None else min(best, elapsed)
        with open(f"{work}/rss") as f:
            rss = max(rss, int(f.read().split()[-1]) / 1024)
    return best, rss

programs = [
    ("hand-written serde_json, typed structs (baseline)", ["target/release/examples/handwritten"], inp, count),
    ("serde_json parse + print only (no mapping)", ["target/release/examples/serde-roundtrip"], inp, count),
    ("flexmap apply --jobs 1", [flexmap, "apply", rules, "--jobs", "1"], inp, count),
    ("flexmap apply --jobs 2", [flexmap, "apply", rules, "--jobs", "2"], inp, count),
    (f"flexmap apply (no --jobs: the default, {os.cpu_count()} cores here)", [flexmap, "apply", rules], inp, count),
    ("node compare.js", ["node", "benches/compare.js"], inp, count),
    ("node compare-module.js (the `--emit js` module)", ["node", "benches/compare-module.js", f"{work}/compare-module.js"], inp, count),
    (f"jq -c -f compare.jq (first {jq_count} records)", ["jq", "-c", "-f", "benches/compare.jq"], jq_inp, jq_count),
]
results = []
for i, (name, cmd, path, n) in enumerate(programs):
    print(f"running {name} …", file=sys.stderr)
    t, rss = run(name, cmd, path, f"{work}/out-{i}.ndjson")
    results.append((name, n, os.path.getsize(path) / 1e6, t, rss))

# Every mapping must agree byte for byte with flexmap --jobs 1 (jq on its prefix).
reference = f"{work}/out-2.ndjson"
with open(reference, "rb") as f:
    head = b"".join(line for _, line in zip(range(jq_count), f))
with open(f"{work}/out-ref-jq.ndjson", "wb") as f:
    f.write(head)
mismatch = []
for i, (name, cmd, path, n) in enumerate(programs):
    if i in (1, 2):
        continue
    ref = reference if n == count else f"{work}/out-ref-jq.ndjson"
    if not filecmp.cmp(ref, f"{work}/out-{i}.ndjson", shallow=False):
        mismatch.append(name)

base_rate = results[0][1] / results[0][3]
cpu = "unknown"
try:
    cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
except (OSError, StopIteration):
    pass
print(f"\n{count} records ({results[0][2]:.0f} MB) from `benches/gen_records.py {count} 42`, "
      f"rules benches/compare.yaml; best of {reps} runs each; {os.cpu_count()} × {cpu}\n")
print("| program | records | seconds | MB/s | records/s vs baseline | peak RSS MB |")
print("|---|---:|---:|---:|---:|---:|")
for name, n, mb, t, rss in results:
    print(f"| {name} | {n} | {t:.2f} | {mb / t:.0f} | {n / t / base_rate:.2f}× | {rss:.0f} |")
print()
print("outputs identical: " + ("yes (handwritten, flexmap --jobs 1/2/default, node, generated module, jq)" if not mismatch
                               else "NO: " + ", ".join(mismatch)))

# Targets.
j1, j2 = results[2][3], results[3][3]
_, rss_small = run("small", [flexmap, "apply", rules, "--jobs", "1"], small_inp, f"{work}/out-small.ndjson")
rss_full = results[2][4]

def timed(cmd, runs):
    """Mean wall time in ms: hyperfine when installed, else the best of `runs` runs."""
    if shutil.which("hyperfine"):
        out = f"{work}/hyperfine.json"
        subprocess.run(["hyperfine", "-N", "--warmup", "5", "--runs", str(runs), "--export-json", out,
                        " ".join(cmd)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        import json
        return json.load(open(out))["results"][0]["mean"] * 1000, "hyperfine mean"
    best = None
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        e = time.perf_counter() - t
        best = e if best is None else min(best, e)
    return best * 1000, f"best of {runs}"

version_ms, how_v = timed([flexmap, "--version"], 50)
teams = sorted(os.path.join(project, d) for d in os.listdir(project))
lint_cmd = [flexmap, "lint", "--format", "short"] + teams
# Time a clean lint, not an error path: the copies must lint clean first.
subprocess.run(lint_cmd, stdout=subprocess.DEVNULL, check=True)
lint_ms, how_l = timed(lint_cmd, 20)
files = sum(1 for t in teams for f in os.listdir(t) if f.endswith(".yaml"))
print()
print("| target | measured | goal | met |")
print("|---|---:|---:|:---:|")
def row(name, value, goal, ok):
    print(f"| {name} | {value} | {goal} | {'yes' if ok else '**no**'} |")
r1 = (count / j1) / base_rate
row("flexmap --jobs 1 vs hand-written", f"{r1:.2f}×", "≥ 1.0×", r1 >= 1.0)
row("flexmap --jobs 2 vs --jobs 1", f"{j1 / j2:.2f}×", "≥ 1.8×", j1 / j2 >= 1.8)
node_t = next(t for name, _, _, t, _ in results if name == "node compare.js")
module_t = next(t for name, _, _, t, _ in results if name.startswith("node compare-module.js"))
row("generated module vs compare.js (records/s)", f"{node_t / module_t:.2f}×", "≥ 1.0×", node_t / module_t >= 1.0)
row(f"peak RSS, {small} → {count} records", f"{rss_small:.0f} → {rss_full:.0f} MB", "flat", rss_full <= rss_small * 1.1 + 2)
row(f"flexmap lint, {files} files", f"{lint_ms:.1f} ms ({how_l})", "< 50 ms", lint_ms < 50)
row("flexmap --version", f"{version_ms:.2f} ms ({how_v})", "< 5 ms", version_ms < 5)
sys.exit(1 if mismatch else 0)
PY
