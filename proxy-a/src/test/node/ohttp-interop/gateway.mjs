// An Oblivious HTTP gateway (RFC 9458) built on implementations not written here, so that our client can be
// checked against a server side it did not come with: HPKE (key generation, the recipient context that opens
// requests, the exporter, HKDF-Expand and the AEAD that seal responses) from @hpke/core and @hpke/chacha20poly1305
// (hpke-js), binary HTTP (RFC 9292) from bhttp-js. Only the framing is written here, from the RFC: the key
// configuration (section 3), the request header and info (section 4.3) and the response key schedule
// (section 4.4). Driven by the client module's ThirdPartyGatewayInteropTest.
//
//   node gateway.mjs ALLOWED-ORIGIN AEAD     (AEAD: 1 = AES-128-GCM, 3 = ChaCha20-Poly1305)
// listens on 127.0.0.1 (an ephemeral port) and prints one JSON line {"port": N}, then serves
//   GET  /ohttp-keys   application/ohttp-keys: one configuration, key_id 7, X25519, HKDF-SHA256 + AEAD
//   POST /gateway      message/ohttp-req -> message/ohttp-res; the inner request goes to ALLOWED-ORIGIN only
//                      (another origin: an encapsulated 403)
// Each request it forwards is printed as one JSON line {"forwarded": "METHOD URL"}.
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { BHttpDecoder, BHttpEncoder } from "bhttp-js";
import { createHmac, randomBytes } from "node:crypto";
import { createServer } from "node:http";

const [allowedOrigin, aeadArg] = process.argv.slice(2);
const aeadId = Number(aeadArg ?? 1);
const KEY_ID = 7;
const KEM_X25519 = 0x0020;
const KDF_HKDF_SHA256 = 0x0001;
const te = new TextEncoder();
const newAead = () => (aeadId === 3 ? new Chacha20Poly1305() : new Aes128Gcm());
const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: newAead() });
const keyPair = await suite.kem.generateKeyPair();
const publicKey = new Uint8Array(await suite.kem.serializePublicKey(keyPair.publicKey));

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

// RFC 9458 section 4.3: hdr = key_id(8) kem_id(16) kdf_id(16) aead_id(16)
const hdr = new Uint8Array(7);
const hdrView = new DataView(hdr.buffer);
hdrView.setUint8(0, KEY_ID);
hdrView.setUint16(1, KEM_X25519);
hdrView.setUint16(3, KDF_HKDF_SHA256);
hdrView.setUint16(5, aeadId);

// RFC 9458 section 3.1 (one key configuration) and 3.2 (application/ohttp-keys: each with a 2-byte length)
const config = new Uint8Array(3 + publicKey.length + 2 + 4);
const configView = new DataView(config.buffer);
configView.setUint8(0, KEY_ID);
configView.setUint16(1, KEM_X25519);
config.set(publicKey, 3);
configView.setUint16(3 + publicKey.length, 4);
configView.setUint16(5 + publicKey.length, KDF_HKDF_SHA256);
configView.setUint16(7 + publicKey.length, aeadId);
const keys = concat(new Uint8Array([config.length >> 8, config.length & 0xff]), config);

function problem(res, status, title, type) {
  res.writeHead(status, { "content-type": "application/problem+json" });
  res.end(JSON.stringify({ type: type ?? "about:blank", title, status }));
}

async function readBody(req, limit) {
  const chunks = [];
  let n = 0;
  for await (const c of req) {
    n += c.length;
    if (n > limit) throw new Error("too large");
    chunks.push(c);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

// RFC 9458 section 4.4: the response to the request whose HPKE context is `recipient` and encapsulation `enc`
async function sealResponse(recipient, enc, response) {
  const aead = newAead();
  const nk = aead.keySize;
  const nn = aead.nonceSize;
  const responseNonce = new Uint8Array(randomBytes(Math.max(nn, nk)));
  const secret = await recipient.export(te.encode("message/bhttp response"), Math.max(nn, nk));
  // HKDF-Extract is one HMAC (RFC 5869 section 2.2), Node's here: hpke-js's extract takes a salt of the hash's
  // length only, and this salt (enc || response_nonce) is longer
  const prk = createHmac("sha256", concat(enc, responseNonce)).update(new Uint8Array(secret)).digest();
  const kdf = new HkdfSha256();
  const key = await kdf.expand(prk, te.encode("key"), nk);
  const nonce = await kdf.expand(prk, te.encode("nonce"), nn);
  const ct = new Uint8Array(await aead.createEncryptionContext(key).seal(nonce, response, new Uint8Array(0)));
  return concat(responseNonce, ct);
}

// Fields that belong to one connection, not to the message (RFC 9110 section 7.6.1), left out of the answer
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

async function answer(request) {
  if (new URL(request.url).origin !== allowedOrigin) {
    return new Response(JSON.stringify({ type: "about:blank", title: "target not allowed", status: 403 }),
      { status: 403, headers: { "content-type": "application/problem+json" } });
  }
  const hasBody = !["GET", "HEAD"].includes(request.method);
  const upstream = await fetch(request.url, {
    method: request.method, headers: request.headers, redirect: "manual",
    body: hasBody ? await request.arrayBuffer() : undefined,
  });
  console.log(JSON.stringify({ forwarded: request.method + " " + request.url }));
  const headers = new Headers();
  upstream.headers.forEach((v, k) => { if (!HOP_BY_HOP.has(k) && k !== "content-length") headers.append(k, v); });
  return new Response(await upstream.arrayBuffer(), { status: upstream.status, headers });
}

async function gateway(req, res) {
  if (req.method !== "POST") return problem(res, 405, "use POST");
  if ((req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase() !== "message/ohttp-req") {
    return problem(res, 415, "content type must be message/ohttp-req");
  }
  const body = await readBody(req, 1 << 20);
  const nenc = suite.kem.encSize;
  if (body.length < 7 + nenc + 16) return problem(res, 400, "truncated encapsulated request");
  const got = new DataView(body.buffer, body.byteOffset, 7);
  if (got.getUint8(0) !== KEY_ID || got.getUint16(1) !== KEM_X25519 || got.getUint16(3) !== KDF_HKDF_SHA256
      || got.getUint16(5) !== aeadId) {
    return problem(res, 400, "unknown key", "https://iana.org/assignments/http-problem-types#ohttp-key");
  }
  const enc = body.slice(7, 7 + nenc);
  const info = concat(te.encode("message/bhttp request"), new Uint8Array([0]), hdr);
  let recipient;
  let plain;
  try {
    recipient = await suite.createRecipientContext({ recipientKey: keyPair.privateKey, enc, info });
    plain = new Uint8Array(await recipient.open(body.slice(7 + nenc)));
  } catch {
    return problem(res, 400, "the request does not open", "https://iana.org/assignments/http-problem-types#ohttp-key");
  }
  let inner;
  try {
    inner = await answer(new BHttpDecoder().decodeRequest(plain));
  } catch (e) {
    inner = new Response("gateway: " + e.message, { status: 502 });
  }
  const sealed = await sealResponse(recipient, enc, await new BHttpEncoder().encodeResponse(inner));
  res.writeHead(200, { "content-type": "message/ohttp-res", "cache-control": "private, no-store" });
  res.end(sealed);
}

const server = createServer((req, res) => {
  const path = new URL(req.url, "http://gateway").pathname;
  const handled = path === "/ohttp-keys"
    ? Promise.resolve(res.writeHead(200, { "content-type": "application/ohttp-keys" }).end(keys))
    : path === "/gateway" ? gateway(req, res) : Promise.resolve(problem(res, 404, "not found"));
  handled.catch((e) => { console.error("gateway: " + e.message); if (!res.headersSent) problem(res, 500, "gateway error"); else res.destroy(); });
});
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: server.address().port })));
