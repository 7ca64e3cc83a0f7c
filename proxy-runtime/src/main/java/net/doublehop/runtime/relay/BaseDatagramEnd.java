package net.doublehop.runtime.relay;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * What every {@link DatagramEnd} does the same way: holds the relay's two handlers, and ends the flow once, letting
 * go of what carries it ({@link #release}) before the relay hears of the end.
 */
public abstract class BaseDatagramEnd implements DatagramEnd {

    private Handler<Buffer> payloadHandler = b -> { };
    private Handler<Void> closeHandler = v -> { };
    private boolean closed;

    @Override
    public final void payloadHandler(Handler<Buffer> handler) {
        this.payloadHandler = handler;
    }

    @Override
    public final void closeHandler(Handler<Void> handler) {
        this.closeHandler = handler;
    }

    /** Hands one UDP payload from the client to the relay. */
    protected final void deliver(Buffer payload) {
        payloadHandler.handle(payload);
    }

    /** True once the flow has ended. */
    protected final boolean closed() {
        return closed;
    }

    /** Ends the flow, once: {@link #release}, then the close handler. */
    protected final void finish() {
        if (!closed) {
            closed = true;
            release();
            closeHandler.handle(null);
        }
    }

    /** Lets go of what carries the flow; called once, when it ends. */
    protected abstract void release();
}
