// Stream resets on ONE HTTP/2 connection with Node's built-in http2 client, for the Rapid Reset defence.
// usage: node h2-resets.js <proxy-port> <target host:port> <count> <mode> [header: value]...
// Modes:
//   answered  <count> CONNECT streams one after the other, each reset (RST_STREAM CANCEL) right after its 200
//   early     <count> CONNECT streams each reset as soon as its HEADERS are out, before any answer
// Then (in early mode once the proxy has answered with GOAWAY or a close, at most 30 s) one more CONNECT on the same
// connection, if it is still open. Prints one JSON line:
// {answered: streams that got 200, goaway: GOAWAY error code or null, finalStatus: status of the last CONNECT
// or 0, finalError: its error code if it failed}
'use strict';
const http2 = require('node:http2');

const [port, target, countArg, mode, ...headerArgs] = process.argv.slice(2);
const count = parseInt(countArg, 10);
const extra = {};
for (const h of headerArgs) {
  const i = h.indexOf(':');
  extra[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
}
const result = { answered: 0, goaway: null, finalStatus: 0, finalError: null };
const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
session.on('goaway', (code) => { if (result.goaway === null) result.goaway = code; });
session.on('error', () => {}); // a GOAWAY'd session errors its streams; the result says so
const CANCEL = http2.constants.NGHTTP2_CANCEL;

function connect() {
  return session.request({ ':method': 'CONNECT', ':authority': target, ...extra });
}

function answeredOnce() {
  return new Promise((resolve) => {
    const req = connect();
    req.on('response', (h) => {
      if (h[':status'] === 200) result.answered++;
      req.close(CANCEL);
    });
    req.on('error', () => {});
    req.on('close', resolve);
  });
}

function earlyOnce() {
  return new Promise((resolve) => {
    const req = connect();
    req.on('ready', () => req.close(CANCEL)); // HEADERS submitted: RST_STREAM follows them
    req.on('response', (h) => { if (h[':status'] === 200) result.answered++; });
    req.on('error', () => {});
    req.on('close', resolve);
  });
}

function last() {
  return new Promise((resolve) => {
    let req;
    try { req = connect(); } catch (e) { result.finalError = e.code || e.message; resolve(); return; }
    const timer = setTimeout(() => { result.finalError = 'timeout'; req.close(CANCEL); }, 5000);
    req.on('response', (h) => { result.finalStatus = h[':status']; req.close(CANCEL); });
    req.on('error', (e) => { result.finalError = e.code || e.message; });
    req.on('close', () => { clearTimeout(timer); resolve(); });
  });
}

(async () => {
  if (mode === 'answered') {
    for (let n = 0; n < count; n++) await answeredOnce();
  } else if (mode === 'early') {
    const all = [];
    for (let n = 0; n < count && !session.closed && !session.destroyed; n++) all.push(earlyOnce());
    await Promise.all(all);
  } else {
    throw new Error('unknown mode ' + mode);
  }
  if (mode === 'early') {
    // Wait for the proxy's answer to the resets (its GOAWAY, or the end of the connection), not a fixed moment: on
    // a loaded machine the proxy may not even have read them yet. Bounded, so that no answer is a failure too.
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 30000);
      const done = () => { clearTimeout(timer); resolve(); };
      if (result.goaway !== null || session.closed || session.destroyed) return done();
      session.once('goaway', done);
      session.once('close', done);
    });
  } else {
    await new Promise((r) => setTimeout(r, 200)); // a GOAWAY in flight arrives
  }
  if (!session.closed && !session.destroyed) await last();
  console.log(JSON.stringify(result));
  session.destroy();
})();
