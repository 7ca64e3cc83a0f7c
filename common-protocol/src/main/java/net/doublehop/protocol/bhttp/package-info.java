/**
 * Binary HTTP messages (RFC 9292, media type {@code message/bhttp}): requests and responses in the
 * known-length and indeterminate-length framings, with informational (1xx) responses, padding and the
 * truncation of empty trailing sections. Pure Java, no dependencies: the payload of Oblivious HTTP
 * (RFC 9458, package {@code net.doublehop.protocol.ohttp}).
 *
 * <p>{@link net.doublehop.protocol.bhttp.BinaryHttp} decodes a whole message held in memory (its size
 * is bounded by whoever read it) and throws {@link net.doublehop.protocol.bhttp.BinaryHttpException}
 * for every invalid message RFC 9292 §4 describes; nothing else escapes on any input.
 */
package net.doublehop.protocol.bhttp;
