/**
 * What the Oblivious HTTP relay (Proxy B's deployable) and gateway (beside Proxy A, or alone) share:
 * their metrics ({@link net.doublehop.runtime.ohttp.OhttpMetrics}) and their unprotected error answers
 * ({@link net.doublehop.runtime.ohttp.ProblemResponses}: RFC 9457 problem details with an RFC 9209
 * {@code Proxy-Status}). The wire formats are in common-protocol ({@code net.doublehop.protocol.ohttp}).
 */
package net.doublehop.runtime.ohttp;
