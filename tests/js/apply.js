// `flexmap apply` written with a generated module: the same output lines, `--errors` lines and
// warning report, for the differential test (tests/it/js.rs). One process per batch of records.
// Usage: node apply.js MODULE.js ERRORS.ndjson [--merge PATH] [--strict] < records.ndjson
'use strict';
const fs = require('fs');
const [modulePath, errorsPath, ...flags] = process.argv.slice(2);
const mapping = require(require('path').resolve(modulePath));
const options = {};
for (let i = 0; i < flags.length; i++) {
  if (flags[i] === '--merge') options.merge = flags[++i];
  else if (flags[i] === '--strict') options.strict = true;
}
const input = fs.readFileSync(0, 'utf8');
const lines = input.split('\n');
if (lines.length && lines[lines.length - 1] === '') lines.pop();
const out = [];
const dead = [];
const counts = new Map();
let mapped = 0;
let total = 0;
for (let i = 0; i < lines.length; i++) {
  total++;
  let text = lines[i];
  if (text.endsWith('\r')) text = text.slice(0, -1);
  const r = mapping.applyLine(text, options);
  for (const w of r.warnings) {
    const c = counts.get(w.message);
    if (c) c[0]++;
    else counts.set(w.message, [1, i + 1]);
  }
  if (r.error === null) {
    out.push(r.json + '\n');
    mapped++;
  } else dead.push(JSON.stringify({ error: r.error, line: i + 1, record: text }) + '\n');
}
fs.writeFileSync(errorsPath, dead.join(''));
process.stdout.write(out.join(''));
const cmp = (a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b)));
let report = '';
let warnings = 0;
for (const [message, [count, first]] of [...counts].sort((a, b) => cmp(a[0], b[0]))) {
  warnings += count;
  report += `warning: ${message} — ${count} record${count === 1 ? '' : 's'} (first at line ${first})\n`;
}
const errors = total - mapped;
report += `flexmap apply: ${total} line${total === 1 ? '' : 's'}: ${mapped} mapped, ${errors === 0 ? '0 errors' : `${errors} error${errors === 1 ? '' : 's'} (written to ${errorsPath})`}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`;
process.stderr.write(report);
