/**
 * Oblivious HTTP (RFC 9458): key configurations and their list ({@code application/ohttp-keys}, §3),
 * Encapsulated Requests and Responses ({@code message/ohttp-req}, {@code message/ohttp-res}, §4) of
 * binary HTTP messages (RFC 9292, package {@code net.doublehop.protocol.bhttp}).
 *
 * <p>HPKE (RFC 9180) is BouncyCastle's ({@code org.bouncycastle.crypto.hpke}), base mode only, with
 * DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305.
 * {@link net.doublehop.protocol.ohttp.ObliviousGateway} is the gateway's side (decapsulate, then answer
 * through the {@link net.doublehop.protocol.ohttp.GatewayExchange}), {@link
 * net.doublehop.protocol.ohttp.ObliviousClient} the client's; {@link net.doublehop.protocol.ohttp.OhttpException}
 * names why a message was refused and never carries plaintext.
 */
package net.doublehop.protocol.ohttp;
