package net.doublehop.runtime.listen.tcp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;

/**
 * Holds back the flushes of the handlers behind it while a protocol is being installed on a connection, until the
 * event loop has finished its current turn. What they write first (HTTP/2's SETTINGS, the connection WINDOW_UPDATE,
 * and the SETTINGS ACK for a client preface read in the same turn) then leaves in one write, behind the TLS session
 * ticket, not in one record and one system call each.
 */
final class FlushHold extends ChannelOutboundHandlerAdapter {

    private ChannelHandlerContext ctx;
    private boolean asked;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        asked = true;
    }

    /** After the event loop's current turn: takes the hold out and passes on one flush if any was held. */
    void releaseAfterThisTurn() {
        ctx.executor().execute(this::release);
    }

    private void release() {
        ChannelHandlerContext c = ctx;
        if (c.isRemoved()) {
            return; // the connection closed meanwhile: nothing to flush to
        }
        c.pipeline().remove(this);
        if (asked) {
            c.flush();
        }
    }
}
