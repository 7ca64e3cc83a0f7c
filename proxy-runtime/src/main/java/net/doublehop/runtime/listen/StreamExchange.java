package net.doublehop.runtime.listen;

import io.netty.channel.Channel;
import io.vertx.core.MultiMap;
import net.doublehop.runtime.transport.ChannelEnd;
import net.doublehop.runtime.vertx.LoopContext;

/**
 * A request on one stream of a multiplexed connection (HTTP/2, HTTP/3): the stream's channel, whose parent is the
 * connection, and the stream's tunnel end, which an abort resets.
 */
public abstract class StreamExchange<E extends ChannelEnd> extends BaseExchange {

    protected final Channel stream;
    protected final E end;

    protected StreamExchange(LoopContext context, Channel stream, E end, CharSequence method, CharSequence uri,
            CharSequence authority, CharSequence extendedProtocol, MultiMap headers, MultiMap responseHeaders) {
        super(context, method, uri, authority, extendedProtocol, headers, responseHeaders);
        this.stream = stream;
        this.end = end;
    }

    @Override
    public Object connection() {
        return stream.parent();
    }

    @Override
    protected boolean open() {
        return stream.isActive();
    }

    @Override
    protected void abort() {
        end.reset();
    }
}
