// CONNECT over HTTP/2 with Node's built-in http2 client (RFC 9113 §8.5), as an independent peer.
// usage: node h2-connect.js <proxy-port> <target host:port> <count> <mode> [header: value]...
// Opens <count> CONNECT streams on ONE connection and prints one JSON line per stream:
// {status, proxyStatus, serverTiming, body}. Modes:
//   http       send an HTTP/1.1 GET through the tunnel, read the answer, then end our side
//   halfclose  send 100000 bytes and END_STREAM at once; the destination answers after reading EOF
//   drain      send nothing, hold the stream paused for 500 ms (so the proxy's queues fill and it must
//              stop reading the destination), then read to the end; body = byte count, and patternOk
//              says whether byte i was (i % 251), the pattern the burst destination writes
'use strict';
const http2 = require('node:http2');

const [port, target, countArg, mode, ...headerArgs] = process.argv.slice(2);
const count = parseInt(countArg, 10);
const extra = {};
for (const h of headerArgs) {
  const i = h.indexOf(':');
  extra[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
}

// PROXY_SCHEME=http speaks h2c with prior knowledge (for `tls: none`).
const scheme = process.env.PROXY_SCHEME || 'https';
// LOCAL_ADDRESS binds the client's source address (a loopback alias standing for the user's location).
const opts = { rejectUnauthorized: false };
if (process.env.LOCAL_ADDRESS) opts.localAddress = process.env.LOCAL_ADDRESS;
const session = http2.connect(`${scheme}://127.0.0.1:${port}`, opts);
session.on('error', (e) => { console.error('session error', e.message); process.exit(3); });
let done = 0;
const finish = () => { if (++done === count) session.close(); };

for (let n = 0; n < count; n++) {
  const req = session.request({ ':method': 'CONNECT', ':authority': target, ...extra });
  const out = { status: 0, proxyStatus: null, serverTiming: null, body: '' };
  req.on('response', (headers) => {
    out.status = headers[':status'];
    out.proxyStatus = headers['proxy-status'] || null;
    out.serverTiming = headers['server-timing'] || null;
    if (out.status === 200 && mode === 'drain') {
      req.pause();
      setTimeout(() => req.resume(), 500);
    } else if (out.status === 200 && mode === 'halfclose') {
      req.end(Buffer.alloc(100000, 7)); // END_STREAM right after the data: the answer must still arrive
    } else if (out.status === 200) {
      req.write(`GET /${n} HTTP/1.1\r\nHost: ${target}\r\nConnection: close\r\n\r\n`);
    }
  });
  req.on('end', () => { if (!req.writableEnded) req.end(); }); // destination done: close our side too
  let received = 0;
  let patternOk = true;
  if (mode !== 'drain') req.setEncoding('utf8');
  req.on('data', (d) => {
    if (mode !== 'drain') { out.body += d; return; }
    for (let i = 0; i < d.length; i++) {
      if (d[i] !== (received + i) % 251) { patternOk = false; break; }
    }
    received += d.length;
  });
  req.on('close', () => {
    if (mode === 'drain') { out.body = String(received); out.patternOk = patternOk; }
    console.log(JSON.stringify(out));
    finish();
  });
  req.on('error', (e) => { out.error = e.code || e.message; });
}
