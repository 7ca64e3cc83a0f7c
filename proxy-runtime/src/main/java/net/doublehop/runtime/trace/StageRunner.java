package net.doublehop.runtime.trace;

import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;

/**
 * Runs a flow's stages, each under its own span when the tunnel is traced: the one place both proxies' stages are
 * traced, so the stages themselves know nothing of tracing. An untraced tunnel costs a null check per stage.
 */
public final class StageRunner {

    private StageRunner() {
    }

    /** Runs a synchronous stage; a failure it throws ends its span with an error status and is rethrown. */
    public static <C extends Traced> void run(C ctx, String name, Stage<? super C> stage) {
        TunnelTrace trace = ctx.trace();
        if (trace == null) {
            stage.apply(ctx);
            return;
        }
        Span span = trace.startStage(name);
        try {
            stage.apply(ctx);
        } catch (RuntimeException e) {
            TunnelTrace.endStage(span, e);
            throw e;
        }
        TunnelTrace.endStage(span, null);
    }

    /** Runs a stage that completes later; its span ends when its future does. */
    public static <C extends Traced, T> Future<T> runAsync(C ctx, String name, AsyncStage<? super C, T> stage) {
        TunnelTrace trace = ctx.trace();
        if (trace == null) {
            return stage.apply(ctx);
        }
        Span span = trace.startStage(name);
        Future<T> result;
        try {
            result = stage.apply(ctx);
        } catch (RuntimeException e) {
            TunnelTrace.endStage(span, e);
            throw e;
        }
        return result.andThen((value, failure) -> TunnelTrace.endStage(span, failure));
    }
}
