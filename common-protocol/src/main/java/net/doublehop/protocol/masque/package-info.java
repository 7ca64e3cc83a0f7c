/**
 * Wire formats of MASQUE UDP proxying, as a pure library (no networking, no dependencies):
 * QUIC varints (RFC 9000 §16), the Capsule Protocol and HTTP Datagrams (RFC 9297), CONNECT-UDP
 * payloads and URI templates (RFC 9298).
 *
 * <p>Everything works on {@link java.nio.ByteBuffer} and never copies a payload it does not have
 * to. A Netty handler can use it without copying either:
 * <ul>
 *   <li>capsules: peek the header with {@link net.doublehop.protocol.masque.CapsuleHeader#peek}
 *       on {@code in.nioBuffer(in.readerIndex(), min(in.readableBytes(), CapsuleHeader.MAX_LENGTH))},
 *       then {@code skipBytes(headerLength)} and {@code readRetainedSlice(length)} (or skip an
 *       unknown type); or feed {@code in.nioBuffer()} to a
 *       {@link net.doublehop.protocol.masque.CapsuleParser}, whose values are views of that chunk
 *       while the chunk is alive;</li>
 *   <li>HTTP/3 datagrams: {@link net.doublehop.protocol.masque.QuarterStreamId#decode} and
 *       {@link net.doublehop.protocol.masque.UdpPayload#decode} return views of their input;</li>
 *   <li>writing: {@link net.doublehop.protocol.masque.UdpPayload#datagramCapsulePrefix} and
 *       {@link net.doublehop.protocol.masque.CapsuleWriter#header} give the few header bytes to
 *       send ahead of a payload buffer the caller already holds.</li>
 * </ul>
 *
 * <p>Decoders never throw on peer input: they return sealed result types that name each outcome
 * (need more bytes, drop and count, stream error, connection error), with the error codes RFC 9297
 * and RFC 9298 prescribe in {@link net.doublehop.protocol.masque.MasqueErrorCodes}.
 */
package net.doublehop.protocol.masque;
