// Runs a generated Twilio Function's handler against a TaskRouter stand-in on 127.0.0.1 and
// prints what happened as JSON (tests/it/js.rs). The stand-in records every request, answers
// the task fetch with an ETag, and answers the first update with 412 after another writer
// changed the task; later updates must carry the current ETag.
// Usage: node twilio-standin.js PROJECT_DIR ASSET_NAME FUNCTION_NAME RECORD_JSON STRICT
'use strict';
const http = require('http');
const path = require('path');
const [dir, asset, fn, recordJson, strict] = process.argv.slice(2);
const WS = 'WS' + '0'.repeat(32);
const WT = 'WT' + '1'.repeat(32);
let version = 1;
let attributes = { conversations: { conversation_id: 'kept' }, customers: { email: 'kept@example.com' }, other: { nested: true } };
let conflicts = 1;
const requests = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    requests.push({ method: req.method, url: req.url, ifMatch: req.headers['if-match'] || null, auth: !!req.headers.authorization, body });
    if (req.url !== '/v1/Workspaces/' + WS + '/Tasks/' + WT) {
      res.writeHead(404).end('{}');
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"' + version + '"' });
      res.end(JSON.stringify({ sid: WT, workspace_sid: WS, queue_name: 'Support', attributes: JSON.stringify(attributes) }));
      return;
    }
    if (req.headers['if-match'] !== '"' + version + '"') {
      res.writeHead(412).end('{}');
      return;
    }
    if (conflicts > 0) {
      // Another writer got there first: the task changes and this update is refused.
      conflicts--;
      attributes = Object.assign({}, attributes, { written_by_someone_else: 1 });
      version++;
      res.writeHead(412).end('{}');
      return;
    }
    attributes = JSON.parse(new URLSearchParams(body).get('Attributes'));
    version++;
    res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"' + version + '"' });
    res.end(JSON.stringify({ sid: WT, attributes: JSON.stringify(attributes) }));
  });
});
class Response {
  constructor() { this.status = 200; this.headers = {}; this.body = null; }
  setStatusCode(s) { this.status = s; }
  appendHeader(k, v) { this.headers[k] = v; }
  setBody(b) { this.body = b; }
}
global.Twilio = { Response };
global.Runtime = { getAssets: () => ({ ['/' + asset]: { path: path.resolve(dir, 'assets', asset.replace(/\.js$/, '.private.js')) } }) };
server.listen(0, '127.0.0.1', () => {
  const { handler } = require(path.resolve(dir, 'functions', fn));
  const context = {
    ACCOUNT_SID: 'AC' + '2'.repeat(32),
    AUTH_TOKEN: 'token',
    TWILIO_WORKSPACE_SID: WS,
    TASKROUTER_BASE_URL: 'http://127.0.0.1:' + server.address().port,
    FLEXMAP_STRICT: strict,
  };
  const timer = setTimeout(() => { console.log(JSON.stringify({ error: 'timeout' })); process.exit(3); }, 10000);
  handler(context, { TaskSid: WT, record: recordJson }, (err, response) => {
    clearTimeout(timer);
    server.close();
    console.log(JSON.stringify({ err: err ? String(err) : null, status: response.status, body: response.body, requests, stored: attributes }));
  });
});
