// Starts the Serverless Toolkit's local runner (`twilio-run start`) on a generated
// `--emit twilio-function` layout, with the TaskRouter stand-in (taskrouter-standin.js) as the
// API base, calls the Function once over HTTP and prints what happened as JSON
// (tests/it/js.rs). The runner is started in its own process group and killed at the end.
// Usage: node twilio-run-smoke.js TWILIO_RUN PROJECT_DIR FUNCTION_PATH RECORD_JSON
'use strict';
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');
const { createStandin, WS, WT } = require('./taskrouter-standin.js');
const [twilioRun, dir, fnPath, recordJson] = process.argv.slice(2);

let runner = null;
let log = '';
function finish(result, code) {
  console.log(JSON.stringify(Object.assign(result, { log: log.slice(-4000) })));
  if (runner === null || runner.exitCode !== null || runner.signalCode !== null) process.exit(code);
  // Kill the runner's process group (it forks a process per Function) and reap it.
  runner.on('exit', () => process.exit(code));
  setTimeout(() => process.exit(code), 5000);
  try {
    process.kill(-runner.pid, 'SIGKILL');
  } catch (e) {
    process.exit(code);
  }
}
const timer = setTimeout(() => finish({ error: 'timeout' }, 3), 90000);

function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function post(port, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: fnPath, method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitForRunner(port) {
  for (let i = 0; i < 600; i++) {
    if (runner.exitCode !== null) throw new Error('twilio-run exited with ' + runner.exitCode);
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('twilio-run did not listen within 60 s');
}

const { server, requests, stored } = createStandin();
server.listen(0, '127.0.0.1', async () => {
  try {
    const env = path.join(dir, '.env');
    fs.writeFileSync(env, [
      'ACCOUNT_SID=AC' + '2'.repeat(32),
      'AUTH_TOKEN=token',
      'TWILIO_WORKSPACE_SID=' + WS,
      'TASKROUTER_BASE_URL=http://127.0.0.1:' + server.address().port,
      '',
    ].join('\n'));
    const port = await freePort();
    runner = spawn(process.execPath, [twilioRun, 'start', '--cwd', dir, '--port', String(port), '--env', env, '--log-level', 'error'], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    runner.stdout.on('data', (c) => (log += c));
    runner.stderr.on('data', (c) => (log += c));
    await waitForRunner(port);
    const body = new URLSearchParams({ TaskSid: WT, record: recordJson }).toString();
    const answer = await post(port, body);
    clearTimeout(timer);
    server.close();
    let parsed = null;
    try {
      parsed = JSON.parse(answer.text);
    } catch (e) {
      parsed = answer.text;
    }
    finish({ status: answer.status, body: parsed, requests, stored: stored() }, 0);
  } catch (e) {
    finish({ error: String(e && e.stack ? e.stack : e) }, 2);
  }
});
