package net.doublehop.runtime.transport;

import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.vertx.core.buffer.Buffer;
import net.doublehop.runtime.vertx.LoopContext;
import net.doublehop.runtime.vertx.NettyBuffers;

/**
 * The client end of a tunnel carried by one HTTP/2 stream (a child channel of Netty's multiplexer): DATA frames
 * both ways, END_STREAM as the half-close, RST_STREAM as the abort. Reading stops by turning the child channel's
 * auto-read off, which withholds the stream's flow-control window from the client; the window is returned as the
 * relay takes the data. Writes wait on the client's window: the child channel is unwritable meanwhile.
 */
public final class Http2ServerStreamEnd extends ChannelTunnelEnd {

    private boolean outputEnded;
    private boolean resetByPeer;
    private ChannelFuture lastWrite;

    public Http2ServerStreamEnd(Http2StreamChannel stream, LoopContext context) {
        super(stream, context);
    }

    public boolean outputEnded() {
        return outputEnded;
    }

    /**
     * The client aborted the stream (RST_STREAM): nothing more is written on it, not even our own reset, which would
     * answer theirs (RFC 9113 §5.4.2 forbids that). The stream handler closes the channel.
     */
    public void resetByPeer() {
        resetByPeer = true;
        outputEnded = true;
    }

    @Override
    public void write(Buffer data) {
        if (outputEnded || !channel.isActive()) {
            NettyBuffers.drop(data);
            return;
        }
        lastWrite = writeCoalesced(new DefaultHttp2DataFrame(NettyBuffers.outbound(data)));
    }

    /** END_STREAM after everything written. */
    @Override
    public void endOutput() {
        if (outputEnded) {
            return;
        }
        outputEnded = true;
        if (channel.isActive()) {
            lastWrite = channel.writeAndFlush(new DefaultHttp2DataFrame(true));
        }
    }

    /**
     * Ends the stream without an error: END_STREAM, then, if the client still has its side open, RST_STREAM with
     * NO_ERROR (RFC 9113 §8.1: we need nothing more from it).
     */
    @Override
    public void close() {
        if (resetByPeer) {
            return;
        }
        endOutput();
        if (!channel.isActive() || inputEnded()) {
            return;
        }
        Runnable stop = () -> {
            if (channel.isActive() && !inputEnded()) {
                channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
            }
        };
        if (lastWrite == null || lastWrite.isDone()) {
            stop.run();
        } else {
            lastWrite.addListener(f -> stop.run());
        }
    }

    /** RST_STREAM CANCEL (the multiplexer sends it when an open stream's channel closes). */
    @Override
    public void reset() {
        outputEnded = true;
        if (!resetByPeer) {
            channel.close();
        }
    }
}
