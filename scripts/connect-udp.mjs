// CONNECT-UDP (RFC 9298) from Node's standard library: one datagram through a proxy, one answer.
// usage: node scripts/connect-udp.mjs PROXY_HOST:PORT TARGET_HOST:PORT MESSAGE [Header: value]...
// env: PROXY_CA=file (trust), or PROXY_INSECURE=1; PROXY_CERT + PROXY_KEY (mTLS); LOCAL_ADDRESS=127.0.0.x;
//      PROXY_HTTP=2 for HTTP/2 (default HTTP/1.1)
// HTTP/1.1: GET /.well-known/masque/udp/{host}/{port}/ with Upgrade: connect-udp, expects 101.
// HTTP/2: extended CONNECT (RFC 8441) with :protocol connect-udp once the proxy's SETTINGS allow it, expects 200.
// Then one DATAGRAM capsule (type 0, context ID 0; RFC 9297 §3.5); prints the UDP payload of the first one back.
import tls from 'node:tls';
import http2 from 'node:http2';
import fs from 'node:fs';

const [proxy, target, message, ...headerArgs] = process.argv.slice(2);
if (!proxy || !target || message === undefined) {
  console.error('usage: node scripts/connect-udp.mjs PROXY_HOST:PORT TARGET_HOST:PORT MESSAGE [Header: value]...');
  process.exit(2);
}
const [phost, pport] = [proxy.slice(0, proxy.lastIndexOf(':')), Number(proxy.slice(proxy.lastIndexOf(':') + 1))];
const thost = target.slice(0, target.lastIndexOf(':')).replace(/^\[|\]$/g, '');
const tport = target.slice(target.lastIndexOf(':') + 1);

function varint(n) { // QUIC variable-length integer (RFC 9000 §16), up to 2^30-1
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(4); b.writeUInt32BE(n | 0x80000000 >>> 0); return b;
}
function readVarint(buf, at) {
  const len = 1 << (buf[at] >> 6);
  if (buf.length < at + len) return null;
  let v = buf[at] & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + buf[at + i];
  return { value: v, length: len };
}

const tlsOptions = {
  servername: 'localhost',
  ca: process.env.PROXY_CA ? fs.readFileSync(process.env.PROXY_CA) : undefined,
  rejectUnauthorized: !process.env.PROXY_INSECURE, localAddress: process.env.LOCAL_ADDRESS,
  cert: process.env.PROXY_CERT ? fs.readFileSync(process.env.PROXY_CERT) : undefined,
  key: process.env.PROXY_KEY ? fs.readFileSync(process.env.PROXY_KEY) : undefined,
};
const path = `/.well-known/masque/udp/${encodeURIComponent(thost)}/${tport}/`;
const capsule = () => {
  const payload = Buffer.from(message);
  return Buffer.concat([Buffer.from([0x00]), varint(payload.length + 1), Buffer.from([0x00]), payload]);
};
// The first whole DATAGRAM capsule in buf, as its UDP payload, or null.
function firstDatagram(buf) {
  const type = buf.length ? readVarint(buf, 0) : null;
  const len = type && readVarint(buf, type.length);
  if (!len || buf.length < type.length + len.length + len.value) return null;
  return buf.subarray(type.length + len.length + 1, type.length + len.length + len.value); // skip context ID 0
}
setTimeout(() => { console.error('no answer within 10 s'); process.exit(1); }, 10000).unref();

if (process.env.PROXY_HTTP === '2') {
  const session = http2.connect(`https://${proxy}`, tlsOptions);
  session.on('error', (e) => { console.error(e.message); process.exit(1); });
  session.once('remoteSettings', (settings) => {
    if (!settings.enableConnectProtocol) {
      console.error('the proxy does not allow extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL)');
      process.exit(1);
    }
    const headers = { ':method': 'CONNECT', ':protocol': 'connect-udp', ':scheme': 'https', ':path': path,
      ':authority': proxy, 'capsule-protocol': '?1' };
    for (const h of headerArgs) {
      const i = h.indexOf(':');
      headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
    }
    const req = session.request(headers, { endStream: false });
    let buf = Buffer.alloc(0);
    req.on('response', (h) => {
      if (h[':status'] !== 200) {
        console.error(`${h[':status']} ${h['proxy-status'] || ''}`);
        process.exit(1);
      }
      req.write(capsule());
    });
    req.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const got = firstDatagram(buf);
      if (got) {
        process.stdout.write(got.toString());
        req.close();
        session.close();
      }
    });
    req.on('error', (e) => { console.error(e.message); process.exit(1); });
  });
} else {
  const socket = tls.connect({ host: phost, port: pport, ALPNProtocols: ['http/1.1'], ...tlsOptions }, () => {
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${proxy}\r\nConnection: Upgrade\r\nUpgrade: connect-udp\r\n`
      + 'Capsule-Protocol: ?1\r\n' + headerArgs.map((h) => h + '\r\n').join('') + '\r\n');
  });
  let buf = Buffer.alloc(0);
  let upgraded = false;
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    if (!upgraded) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      buf = buf.subarray(end + 4);
      if (!/^HTTP\/1\.1 101/.test(head)) { console.error(head); process.exit(1); }
      upgraded = true;
      socket.write(capsule());
    }
    const got = firstDatagram(buf);
    if (got) {
      process.stdout.write(got.toString());
      socket.end();
    }
  });
  socket.on('error', (e) => { console.error(e.message); process.exit(1); });
}
