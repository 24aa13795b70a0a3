// The generated module of benches/compare.yaml (`flexmap build benches/compare.yaml --emit js
// -o MODULE.js`) as a stdin → stdout mapper, for benches/compare.sh: each line goes through the
// module's `applyLine`, mapped records are written as `flexmap apply` writes them.
// `node benches/compare-module.js MODULE.js < records.ndjson > out.ndjson`
'use strict';
const fs = require('fs');
const path = require('path');
const { StringDecoder } = require('string_decoder');

const mapping = require(path.resolve(process.argv[2]));
const decoder = new StringDecoder('utf8');
const input = Buffer.allocUnsafe(1 << 20);
let carry = '';
let out = [];
let outLength = 0;
function flush() {
  if (out.length) fs.writeSync(1, out.join(''));
  out = [];
  outLength = 0;
}
function line(text) {
  if (text.endsWith('\r')) text = text.slice(0, -1);
  const r = mapping.applyLine(text);
  if (r.error === null) {
    out.push(r.json, '\n');
    outLength += r.json.length;
    if (outLength > 1 << 20) flush();
  }
}
for (;;) {
  let n;
  try {
    n = fs.readSync(0, input, 0, input.length, null);
  } catch (e) {
    if (e.code === 'EAGAIN') continue;
    if (e.code === 'EOF') break;
    throw e;
  }
  if (n === 0) break;
  const text = carry + decoder.write(input.subarray(0, n));
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
    line(text.slice(start, end));
    start = end + 1;
  }
  carry = text.slice(start);
}
carry += decoder.end();
if (carry !== '') line(carry);
flush();
