// CONNECT-UDP over HTTP/2 (RFC 9298 §3.3: extended CONNECT, RFC 8441) with Node's built-in http2 client, as an
// independent peer. It waits for the server's SETTINGS to allow extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL)
// before sending :protocol, as RFC 8441 §4 requires.
// usage: node h2-connect-udp.js <proxy-port> <path> <mode> <payload> [header: value]...
// Prints one JSON line per stream: {status, proxyStatus, capsuleProtocol, serverTiming, replies, ended, rstCode}.
// Modes:
//   echo       send <payload> in a DATAGRAM capsule (context ID 0), print the first reply's payload, end the stream
//   malformed  send a DATAGRAM capsule too short for its context ID and wait for the proxy to end the stream; then,
//              on the same connection, an echo stream with <payload> (the connection must outlive that stream)
//   refused    print the answer to the request only
'use strict';
const http2 = require('node:http2');

const [port, path, mode, payload, ...headerArgs] = process.argv.slice(2);
const extra = {};
for (const h of headerArgs) {
  const i = h.indexOf(':');
  extra[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
}

const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
session.on('error', (e) => { console.error('session error', e.message); process.exit(3); });
const timer = setTimeout(() => { console.error('timed out'); process.exit(4); }, 20000);

function varint(n) {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  throw new Error('too long for this test');
}

function datagram(text) {
  const value = Buffer.concat([Buffer.from([0]), Buffer.from(text, 'latin1')]); // context ID 0, then the payload
  return Buffer.concat([varint(0x00), varint(value.length), value]);
}

function readVarint(buf, at) {
  if (at >= buf.length) return null;
  const len = 1 << (buf[at] >> 6);
  if (at + len > buf.length) return null;
  let v = buf[at] & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + buf[at + i];
  return { value: v, next: at + len };
}

function stream(kind) {
  return new Promise((resolve) => {
    const req = session.request({
      ':method': 'CONNECT', ':protocol': 'connect-udp', ':scheme': 'https', ':path': path,
      ':authority': `127.0.0.1:${port}`, 'capsule-protocol': '?1', ...extra,
    });
    const out = { status: 0, proxyStatus: null, capsuleProtocol: null, serverTiming: null, replies: [],
      ended: false, rstCode: null };
    let pending = Buffer.alloc(0);
    req.on('response', (headers) => {
      out.status = headers[':status'];
      out.proxyStatus = headers['proxy-status'] || null;
      out.capsuleProtocol = headers['capsule-protocol'] || null;
      out.serverTiming = headers['server-timing'] || null;
      if (out.status !== 200) return;
      if (kind === 'echo') req.write(datagram(payload));
      if (kind === 'malformed') req.write(Buffer.from([0x00, 0x00])); // DATAGRAM of length 0: no context ID
    });
    req.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      for (;;) {
        const type = readVarint(pending, 0);
        const length = type && readVarint(pending, type.next);
        if (!length || length.next + length.value > pending.length) break;
        const value = pending.subarray(length.next, length.next + length.value);
        pending = pending.subarray(length.next + length.value);
        if (type.value === 0 && value[0] === 0) out.replies.push(value.subarray(1).toString('latin1'));
      }
      if (kind === 'echo' && out.replies.length > 0 && !req.writableEnded) req.end();
    });
    req.on('end', () => { out.ended = true; if (!req.writableEnded) req.end(); });
    req.on('error', () => { });
    req.on('close', () => { out.rstCode = req.rstCode; resolve(out); });
  });
}

session.on('remoteSettings', async (settings) => {
  if (!settings.enableConnectProtocol) {
    console.log(JSON.stringify({ error: 'the server did not enable extended CONNECT' }));
    process.exit(5);
  }
  session.removeAllListeners('remoteSettings');
  if (mode === 'malformed') {
    console.log(JSON.stringify(await stream('malformed')));
    console.log(JSON.stringify(await stream('echo')));
  } else {
    console.log(JSON.stringify(await stream(mode)));
  }
  clearTimeout(timer);
  session.close();
});
