// The flow-control windows a proxy grants, as Node's built-in http2 client sees them after the SETTINGS exchange.
// usage: node h2-windows.js <proxy-port>
// Prints one JSON line: {connectionWindow: bytes we may send on the connection before a WINDOW_UPDATE,
// streamWindow: the server's SETTINGS_INITIAL_WINDOW_SIZE, maxConcurrentStreams: its SETTINGS_MAX_CONCURRENT_STREAMS}
'use strict';
const http2 = require('node:http2');

const [port] = process.argv.slice(2);
const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
session.on('error', (e) => { console.error(e); process.exit(1); });
session.once('remoteSettings', (settings) => {
  // the connection-level WINDOW_UPDATE travels with the SETTINGS; give it a moment to be read
  setTimeout(() => {
    console.log(JSON.stringify({
      connectionWindow: session.state.remoteWindowSize,
      streamWindow: settings.initialWindowSize,
      maxConcurrentStreams: settings.maxConcurrentStreams,
    }));
    session.close();
  }, 200);
});
