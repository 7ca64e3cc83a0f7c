package net.doublehop.runtime.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One proxy's tunnel tracing (docs/operations.md, "Tracing"): OpenTelemetry's SDK exporting by OTLP/HTTP when
 * {@code tracing.otlp-endpoint} is set, or nothing at all. {@link #begin} decides per tunnel whether it is traced
 * ({@code tracing.sample-ratio}) before any span object exists, so an untraced tunnel costs one random number
 * here and a null check at each stage ({@link StageRunner}); with tracing off, the null check alone.
 *
 * <p>Every tunnel's trace is a root of its own: nothing here reads or writes trace context on the wire, and the
 * SDK is not registered as the process's global instance, so no library can propagate it either. Proxy A and
 * Proxy B therefore never share a trace id, which would let their operators join A's records (who) with B's
 * (where).
 */
public final class TunnelTracing {

    private static final TunnelTracing OFF = new TunnelTracing(null, null, 0.0, false);
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    /** The instrumentation scope of every span. */
    static final String SCOPE = "net.doublehop.tunnel";

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final double sampleRatio;
    private final boolean sensitive;

    private TunnelTracing(SdkTracerProvider provider, Tracer tracer, double sampleRatio, boolean sensitive) {
        this.provider = provider;
        this.tracer = tracer;
        this.sampleRatio = sampleRatio;
        this.sensitive = sensitive;
    }

    /** Tracing off: {@link #begin} always answers null. */
    public static TunnelTracing off() {
        return OFF;
    }

    /**
     * Tracing as configured: off without an endpoint; else spans of a sample of tunnels, batched (at most 2048
     * waiting; more are dropped, never queued without bound) and sent by OTLP/HTTP with the JDK's HTTP client.
     *
     * @param serviceName the {@code service.name} of every span ({@code proxy-a} or {@code proxy-b})
     * @param sensitive   {@code logging.log-sensitive-data}: only then may spans carry user, client address or
     *                    destination
     */
    public static TunnelTracing start(TracingSettings settings, String serviceName, boolean sensitive) {
        if (!settings.enabled()) {
            return OFF;
        }
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.otlpEndpoint().get().toString())
                .build();
        return over(BatchSpanProcessor.builder(exporter).build(), settings.sampleRatio(), serviceName, sensitive);
    }

    /** Tracing into {@code processor} (tests hand a processor over an exporter of their own). */
    static TunnelTracing over(SpanProcessor processor, double sampleRatio, String serviceName, boolean sensitive) {
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, serviceName))))
                // sampled in begin(), before a span exists; what reaches the SDK is kept
                .setSampler(Sampler.alwaysOn())
                .addSpanProcessor(processor)
                .build();
        return new TunnelTracing(provider, provider.get(SCOPE), sampleRatio, sensitive);
    }

    public boolean enabled() {
        return tracer != null;
    }

    /**
     * A new tunnel's trace (its root span, "tunnel", started now), or null when tracing is off or this tunnel is
     * not in the sample.
     */
    public TunnelTrace begin() {
        if (tracer == null || sampleRatio < 1.0 && ThreadLocalRandom.current().nextDouble() >= sampleRatio) {
            return null;
        }
        Span root = tracer.spanBuilder(TunnelTrace.ROOT).setNoParent().setSpanKind(SpanKind.SERVER).startSpan();
        return new TunnelTrace(tracer, root, sensitive);
    }

    /** Sends what is still batched and stops the exporter (at the proxy's stop, after the tunnels closed). */
    public Future<Void> close() {
        if (provider == null) {
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        provider.shutdown().whenComplete(() -> done.tryComplete());
        return done.future();
    }
}
