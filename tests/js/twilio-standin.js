// Runs a generated Twilio Function's handler against the TaskRouter stand-in on 127.0.0.1
// (taskrouter-standin.js) and prints what happened as JSON (tests/it/js.rs).
// Usage: node twilio-standin.js PROJECT_DIR ASSET_NAME FUNCTION_NAME RECORD_JSON STRICT
'use strict';
const path = require('path');
const { createStandin, WS, WT } = require('./taskrouter-standin.js');
const [dir, asset, fn, recordJson, strict] = process.argv.slice(2);
const { server, requests, stored } = createStandin();
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
    console.log(JSON.stringify({ err: err ? String(err) : null, status: response.status, body: response.body, requests, stored: stored() }));
  });
});
