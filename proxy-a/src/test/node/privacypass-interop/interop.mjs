// Cloudflare's privacypass-ts on the other side of our Privacy Pass code (PrivacyPassInteropTest runs this).
// Every mode prints one JSON object on stdout; base64url values are padded, as RFC 9577 writes them.
//
//   node interop.mjs fetch  ISSUER_URL AUTHORIZATION CHALLENGE   their Client gets a token from our issuer
//   node interop.mjs verify TOKEN_KEY CHALLENGE CREDENTIALS       their Origin verifies a token we made
//   node interop.mjs issue  PKCS8_FILE TOKEN_REQUEST              their Issuer signs our Client's request
//   node interop.mjs mint   PKCS8_FILE CHALLENGE                  their Client and Issuer, our key
import { readFileSync } from 'node:fs';
import {
    AuthorizationHeader,
    PRIVATE_TOKEN_ISSUER_DIRECTORY,
    TokenChallenge,
    publicVerif,
    sendTokenRequest,
} from '@cloudflare/privacypass-ts';

const { BLIND_RSA, BlindRSAMode, Client, Issuer, Origin, TokenRequest, convertRSASSAPSSToEnc } = publicVerif;
// RFC 9578 token type 2 is RSABSSA-SHA384-PSS-Deterministic: salt length 48.
const MODE = BlindRSAMode.PSS;

const b64u = (bytes) => Buffer.from(bytes).toString('base64').replaceAll('+', '-').replaceAll('/', '_');
const unb64u = (text) => new Uint8Array(Buffer.from(text, 'base64url'));
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));

async function fetchToken(issuerUrl, authorization, challengeB64) {
    const directoryUrl = new URL(PRIVATE_TOKEN_ISSUER_DIRECTORY, issuerUrl);
    const res = await fetch(directoryUrl);
    if (res.status !== 200) {
        throw new Error(`directory: ${res.status}`);
    }
    const contentType = res.headers.get('content-type');
    const directory = await res.json();
    const requestUrl = new URL(directory['issuer-request-uri'], directoryUrl);
    const entry = directory['token-keys'].find((k) => k['token-type'] === BLIND_RSA.value);
    const tokenKey = unb64u(entry['token-key']);
    const challenge = TokenChallenge.deserialize(unb64u(challengeB64));
    const client = new Client(MODE);
    const request = await client.createTokenRequest(challenge, tokenKey);
    const headers = new Headers();
    headers.append('Authorization', authorization);
    const response = await sendTokenRequest(request.serialize(), requestUrl, headers);
    const token = await client.finalize(client.deserializeTokenResponse(response));
    return {
        directoryContentType: contentType,
        challengeRoundTrips: b64u(challenge.serialize()) === challengeB64,
        tokenKey: b64u(tokenKey),
        token: b64u(token.serialize()),
        credentials: new AuthorizationHeader(token).toString(true),
    };
}

async function publicCryptoKey(spki) {
    // WebCrypto cannot import the RSASSA-PSS OID; privacypass-ts converts to rsaEncryption (same n and e).
    return crypto.subtle.importKey('spki', convertRSASSAPSSToEnc(spki), BLIND_RSA.rsaParams, true, ['verify']);
}

async function verify(tokenKeyB64, challengeB64, credentials) {
    const tokenKey = unb64u(tokenKeyB64);
    const [header] = AuthorizationHeader.parse(BLIND_RSA, credentials);
    const token = header.token;
    const valid = await new Origin(MODE).verify(token, await publicCryptoKey(tokenKey));
    return {
        valid,
        challengeMatches: hex(token.authInput.challengeDigest) === hex(await sha256(unb64u(challengeB64))),
        keyIdMatches: hex(token.authInput.tokenKeyId) === hex(await sha256(tokenKey)),
    };
}

async function issuerFromPkcs8(file) {
    const pem = readFileSync(file, 'ascii');
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const privateKey = await crypto.subtle.importKey('pkcs8', der, BLIND_RSA.rsaParams, true, ['sign']);
    const jwk = await crypto.subtle.exportKey('jwk', privateKey);
    const publicKey = await crypto.subtle.importKey('jwk', { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'PS384', ext: true },
        BLIND_RSA.rsaParams, true, ['verify']);
    return new Issuer(MODE, 'issuer.test', privateKey, publicKey);
}

async function issue(file, requestB64) {
    const issuer = await issuerFromPkcs8(file);
    const request = TokenRequest.deserialize(BLIND_RSA, unb64u(requestB64));
    const response = await issuer.issue(request);
    return { response: b64u(response.serialize()), tokenKeyId: hex(await issuer.tokenKeyID()) };
}

async function mint(file, challengeB64) {
    const issuer = await issuerFromPkcs8(file);
    const tokenKey = await publicVerif.getPublicKeyBytes(issuer.publicKey);
    const client = new Client(MODE);
    const request = await client.createTokenRequest(TokenChallenge.deserialize(unb64u(challengeB64)), tokenKey);
    const token = await client.finalize(await issuer.issue(request));
    return {
        tokenKey: b64u(tokenKey),
        token: b64u(token.serialize()),
        issuerVerifies: await issuer.verify(token),
    };
}

const [mode, ...args] = process.argv.slice(2);
const modes = { fetch: fetchToken, verify, issue, mint };
if (!modes[mode] || args.length !== 3 - (mode === 'issue' || mode === 'mint' ? 1 : 0)) {
    console.error('usage: node interop.mjs fetch|verify|issue|mint ARGS... (see the head of this file)');
    process.exit(2);
}
try {
    console.log(JSON.stringify(await modes[mode](...args)));
} catch (e) {
    console.error(`${mode}: ${e.stack ?? e}`);
    process.exit(1);
}
