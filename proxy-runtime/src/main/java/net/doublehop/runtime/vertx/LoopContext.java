package net.doublehop.runtime.vertx;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

/**
 * A Vert.x event-loop context as the proxy's Netty code needs it. Vert.x's public {@link Context} has no way to
 * run a handler at once when already on the context's thread ({@code emit}), nor to reach the Netty event loop
 * under it, and both are the hot path: a listener's pipeline delivers every chunk of tunnel data to the relay on
 * the listener's context without a task hop, and the next-hop clients and the dialler put their Netty channels on
 * the caller's event loop. This is the one place that uses Vert.x's internal {@code ContextInternal} for that.
 */
public final class LoopContext {

    private final ContextInternal context;

    private LoopContext(ContextInternal context) {
        this.context = context;
    }

    /** The context a verticle runs on, or any context Vert.x handed out. */
    public static LoopContext of(Context context) {
        return new LoopContext((ContextInternal) context);
    }

    /** The caller's context, or a new event-loop context when the caller is not on one. */
    public static LoopContext current(Vertx vertx) {
        return of(vertx.getOrCreateContext());
    }

    /** A new event-loop context of its own (the next event loop in Vert.x's rotation). */
    public static LoopContext newEventLoop(Vertx vertx) {
        return new LoopContext(((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext());
    }

    /** Runs {@code blocking} on a worker thread; the future completes on this context. */
    public <T> Future<T> executeBlocking(java.util.concurrent.Callable<T> blocking) {
        return context.executeBlocking(blocking);
    }

    /** Runs {@code handler} now when called on this context's thread, else queues it there. */
    public <T> void emit(T value, Handler<T> handler) {
        context.emit(value, handler);
    }

    /** {@link #emit(Object, Handler)} without a value. */
    public void emit(Handler<Void> handler) {
        context.emit(handler);
    }

    /** Queues {@code task} to this context's thread. */
    public void execute(Runnable task) {
        context.execute(task);
    }

    /** Queues {@code handler} to this context's thread (Vert.x's public {@code Context.runOnContext}). */
    public void runOnContext(Handler<Void> handler) {
        context.runOnContext(handler);
    }

    /** Queues {@code handler} to this context's thread. */
    public <T> void execute(T value, Handler<T> handler) {
        context.execute(value, handler);
    }

    /** The Netty event loop under this context: where channels that serve it are registered. */
    public EventLoop nettyEventLoop() {
        return context.nettyEventLoop();
    }

    /** A promise whose handlers run on this context. */
    public <T> Promise<T> promise() {
        return context.promise();
    }

    public <T> Future<T> succeededFuture(T value) {
        return context.succeededFuture(value);
    }

    public <T> Future<T> failedFuture(Throwable cause) {
        return context.failedFuture(cause);
    }

    public Vertx owner() {
        return context.owner();
    }
}
