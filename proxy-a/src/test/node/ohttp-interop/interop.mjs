// Oblivious HTTP (RFC 9458) client built on implementations not written here: HPKE from @hpke/core and
// @hpke/chacha20poly1305 (hpke-js), binary HTTP (RFC 9292) from bhttp-js. Only the OHTTP framing (a header,
// enc, ciphertext; the response key schedule of RFC 9458 section 4.4 with Node's HMAC and AES-GCM /
// ChaCha20-Poly1305) is written here, from the RFC. Driven by ObliviousHttpInteropTest.
//
//   node interop.mjs RELAY-URL KEYS-URL TARGET-URL AEAD   (AEAD: 1 = AES-128-GCM, 3 = ChaCha20-Poly1305)
// prints one JSON line: {"status": N, "body": "...", "headers": {...}, "keyId": N}
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { BHttpDecoder, BHttpEncoder } from "bhttp-js";
import { createDecipheriv, createHmac } from "node:crypto";

const [relayUrl, keysUrl, targetUrl, aeadArg] = process.argv.slice(2);
const aeadId = Number(aeadArg ?? 1);
const te = new TextEncoder();

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

// application/ohttp-keys (RFC 9458 section 3): the first configuration offering HKDF-SHA256 + the AEAD
function pickConfig(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    const len = v.getUint16(at); at += 2;
    const end = at + len;
    const keyId = v.getUint8(at); const kemId = v.getUint16(at + 1);
    const pk = bytes.slice(at + 3, at + 35);
    const algLen = v.getUint16(at + 35);
    for (let i = 0; i < algLen; i += 4) {
      if (kemId === 0x20 && v.getUint16(at + 37 + i) === 1 && v.getUint16(at + 39 + i) === aeadId) {
        return { keyId, kemId, pk };
      }
    }
    at = end;
  }
  throw new Error("no key configuration with X25519, HKDF-SHA256 and AEAD " + aeadId);
}

const keys = new Uint8Array(await (await fetch(keysUrl)).arrayBuffer());
const config = pickConfig(keys);
const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: aeadId === 3 ? new Chacha20Poly1305() : new Aes128Gcm(),
});
const hdr = new Uint8Array(7);
new DataView(hdr.buffer).setUint8(0, config.keyId);
new DataView(hdr.buffer).setUint16(1, 0x20);
new DataView(hdr.buffer).setUint16(3, 1);
new DataView(hdr.buffer).setUint16(5, aeadId);
const info = concat(te.encode("message/bhttp request"), new Uint8Array([0]), hdr);
const sender = await suite.createSenderContext({
  recipientPublicKey: await suite.kem.deserializePublicKey(config.pk),
  info,
});
const request = await new BHttpEncoder().encodeRequest(new Request(targetUrl, {
  method: "GET", headers: { "accept": "text/plain", "x-interop": "hpke-js" },
}));
const ct = new Uint8Array(await sender.seal(request));
const enc = new Uint8Array(sender.enc);
const res = await fetch(relayUrl, {
  method: "POST", headers: { "content-type": "message/ohttp-req" }, body: concat(hdr, enc, ct),
});
if (res.status !== 200 || res.headers.get("content-type") !== "message/ohttp-res") {
  console.log(JSON.stringify({ error: "not an encapsulated response", status: res.status,
    body: await res.text() }));
  process.exit(1);
}
const encResponse = new Uint8Array(await res.arrayBuffer());
// RFC 9458 section 4.4: secret = Export("message/bhttp response", max(Nn, Nk)); salt = enc || response_nonce
const nk = aeadId === 3 ? 32 : 16;
const nn = 12;
const nonceLen = Math.max(nk, nn);
const secret = new Uint8Array(await sender.export(te.encode("message/bhttp response"), nonceLen));
const responseNonce = encResponse.slice(0, nonceLen);
const prk = createHmac("sha256", concat(enc, responseNonce)).update(secret).digest(); // HKDF-Extract
const expand = (label, n) => createHmac("sha256", prk).update(concat(te.encode(label), new Uint8Array([1])))
  .digest().subarray(0, n); // HKDF-Expand, one block
const body = encResponse.slice(nonceLen, encResponse.length - 16);
const tag = encResponse.slice(encResponse.length - 16);
const decipher = createDecipheriv(aeadId === 3 ? "chacha20-poly1305" : "aes-128-gcm", expand("key", nk),
  expand("nonce", nn), { authTagLength: 16 });
decipher.setAuthTag(tag);
const plain = concat(decipher.update(body), decipher.final());
const response = new BHttpDecoder().decodeResponse(plain);
const headers = {};
response.headers.forEach((v, k) => { headers[k] = v; });
console.log(JSON.stringify({ status: response.status, body: await response.text(), headers, keyId: config.keyId }));
