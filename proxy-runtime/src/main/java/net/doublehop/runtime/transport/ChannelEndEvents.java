package net.doublehop.runtime.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;

/**
 * A byte channel's events to its {@link ChannelEnd}, for channels whose bytes are the tunnel's own (a TCP connection,
 * an HTTP/1.1 connection after its 200 or 101): what it reads is the end's data, its close the end of that data and
 * the end's close, its writability the end's backpressure, an error the end's failure and the channel's close.
 */
public class ChannelEndEvents extends ChannelDuplexHandler {

    /** Set at construction, or by a subclass once the handler is on its channel. */
    protected ChannelEnd end;

    public ChannelEndEvents(ChannelEnd end) {
        this.end = end;
    }

    /** For a subclass that makes its end when the handler is added to the channel. */
    protected ChannelEndEvents() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf data) {
            end.inbound(data);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end.inputClosed();
        end.closed();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        end.writabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        end.failed(cause);
        ctx.close();
    }
}
