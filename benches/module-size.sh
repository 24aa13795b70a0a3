#!/usr/bin/env bash
# Size and `require` time of the module `flexmap build --emit js` generates for each bundled
# example (and benches/compare.yaml): bytes, gzip -9 bytes, lines, and the time `require`
# takes in a fresh `node` process (median of RUNS processes, default 15; measured inside the
# process with process.hrtime, so node's own start-up is not counted). Prints a Markdown table.
# Usage: benches/module-size.sh      Environment: FLEXMAP (binary; default target/release/flexmap,
# built when missing), RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-15}
flexmap=${FLEXMAP:-target/release/flexmap}
[ -x "$flexmap" ] || cargo build --release --quiet --bin flexmap
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "node $(node --version), $runs fresh processes per module (median)"
echo
echo "| ruleset | rules | bytes | gzip -9 bytes | lines | require ms (median) |"
echo "|---|---:|---:|---:|---:|---:|"
for rules in rules-examples/*.yaml benches/compare.yaml; do
    case "$rules" in *.test.yaml) continue ;; esac
    module="$work/$(basename "$rules" .yaml).js"
    "$flexmap" build "$rules" --emit js -o "$module" 2>/dev/null
    bytes=$(wc -c < "$module")
    gz=$(gzip -9 -c "$module" | wc -c)
    lines=$(wc -l < "$module")
    times=()
    for _ in $(seq "$runs"); do
        times+=("$(node -e '
const t = process.hrtime.bigint();
const m = require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - t) / 1e6;
process.stdout.write(ms.toFixed(2) + " " + m.ruleset.rules);' "$module")")
    done
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { print $1 }')
    count=$(printf '%s\n' "${times[0]}" | awk '{ print $2 }')
    echo "| $rules | $count | $bytes | $gz | $lines | $median |"
done
