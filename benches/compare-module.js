// The generated module of benches/compare.yaml (`flexmap build benches/compare.yaml --emit js
// -o MODULE.js`) as a stdin → stdout mapper, for benches/compare.sh: each line goes through the
// module's `applyLine`, mapped records are written as `flexmap apply` writes them.
// `node benches/compare-module.js MODULE.js < records.ndjson > out.ndjson`
'use strict';
const fs = require('fs');
const path = require('path');

const mapping = require(path.resolve(process.argv[2]));
let input = Buffer.allocUnsafe(1 << 20);
let filled = 0;
// Mapped records are encoded straight into one output buffer.
let output = Buffer.allocUnsafe(1 << 20);
let used = 0;
function flush() {
  if (used > 0) fs.writeSync(1, output, 0, used);
  used = 0;
}
function line(text) {
  if (text.endsWith('\r')) text = text.slice(0, -1);
  const r = mapping.applyLine(text);
  if (r.error !== null) return;
  // At most 3 bytes per UTF-16 unit, and the newline.
  if (used + r.json.length * 3 + 1 > output.length) {
    flush();
    if (r.json.length * 3 + 1 > output.length) output = Buffer.allocUnsafe(r.json.length * 3 + 1);
  }
  used += output.write(r.json, used);
  output[used++] = 10;
}
for (;;) {
  if (filled === input.length) {
    const bigger = Buffer.allocUnsafe(input.length * 2);
    input.copy(bigger, 0, 0, filled);
    input = bigger;
  }
  let n;
  try {
    n = fs.readSync(0, input, filled, input.length - filled, null);
  } catch (e) {
    if (e.code === 'EAGAIN') continue;
    if (e.code === 'EOF') break;
    throw e;
  }
  if (n === 0) break;
  const end = filled + n;
  let start = 0;
  // Each line decoded on its own (as `flexmap apply` reads line by line): an ASCII line
  // stays a one-byte string, which JSON.parse and the rules read faster than a two-byte one.
  for (let nl = input.indexOf(10, filled); nl !== -1 && nl < end; nl = input.indexOf(10, start)) {
    line(input.toString('utf8', start, nl));
    start = nl + 1;
  }
  input.copy(input, 0, start, end);
  filled = end - start;
}
if (filled > 0) line(input.toString('utf8', 0, filled));
flush();
