package net.doublehop.loadgen;

import io.netty.channel.Channel;

/**
 * An open tunnel: a channel that carries the tunnel's raw bytes (ByteBuf in, ByteBuf out) whatever the proxy
 * protocol. Times are System.nanoTime(): when the opening began, when the CONNECT request was written and when its
 * 2xx answer arrived (both equal to the TCP connect time for --direct).
 */
public record Tunnel(Channel channel, long startNanos, long connectSentNanos, long answeredNanos) {

    /** Time from the CONNECT request to its answer, in microseconds. */
    public long connectAnswerMicros() {
        return (answeredNanos - connectSentNanos) / 1000;
    }
}
