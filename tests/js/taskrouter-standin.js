// A TaskRouter stand-in on 127.0.0.1 for the Twilio Function tests: it records every request,
// answers the task fetch with an ETag, and answers the first update with 412 after another
// writer changed the task; later updates must carry the current ETag.
'use strict';
const http = require('http');

const WS = 'WS' + '0'.repeat(32);
const WT = 'WT' + '1'.repeat(32);

// Returns `{ server, requests, stored() }`; call `server.listen(0, '127.0.0.1', …)`.
function createStandin() {
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
  return { server, requests, stored: () => attributes };
}

module.exports = { createStandin, WS, WT };
