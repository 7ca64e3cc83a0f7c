package net.doublehop.runtime.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import org.junit.jupiter.api.Test;

/** The stage runner's spans, collected by an exporter of the test's own (no network). */
class StageRunnerTest {

    static final ProxyFailure DENIED = ProxyFailure.denied("no");

    static final class Collected implements SpanExporter {
        final List<SpanData> spans = new CopyOnWriteArrayList<>();

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

        SpanData named(String name) {
            return spans.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow(
                    () -> new AssertionError("no span " + name + " in " + spans));
        }
    }

    record Ctx(TunnelTrace trace) implements Traced { }

    private final Collected exported = new Collected();

    private TunnelTracing tracing(double ratio, boolean sensitive) {
        return TunnelTracing.over(SimpleSpanProcessor.create(exported), ratio, "proxy-test", sensitive);
    }

    @Test
    void stagesAreChildrenOfTheTunnelAndAFailureMarksItsStage() {
        Ctx ctx = new Ctx(tracing(1.0, false).begin());
        StageRunner.run(ctx, "parse", c -> { });
        Promise<String> later = Promise.promise();
        Future<String> answer = StageRunner.runAsync(ctx, "connect", c -> later.future());
        assertThat(exported.spans).extracting(SpanData::getName).containsExactly("parse");
        later.complete("up");
        assertThat(answer.result()).isEqualTo("up");
        assertThatThrownBy(() -> StageRunner.run(ctx, "admit", c -> {
            throw DENIED;
        })).isSameAs(DENIED);
        ctx.trace().refused(403, DENIED.type().token());

        SpanData root = exported.named("tunnel");
        assertThat(root.getParentSpanContext().isValid()).isFalse();
        assertThat(root.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(root.getAttributes().get(TunnelTrace.STATUS)).isEqualTo(403L);
        assertThat(root.getAttributes().get(TunnelTrace.ERROR)).isEqualTo("http_request_denied");
        for (String stage : List.of("parse", "connect", "admit")) {
            SpanData s = exported.named(stage);
            assertThat(s.getParentSpanId()).isEqualTo(root.getSpanId());
            assertThat(s.getTraceId()).isEqualTo(root.getTraceId());
        }
        assertThat(exported.named("parse").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(exported.named("admit").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    }

    @Test
    void aFailedFutureEndsItsStageWithTheErrorType() {
        Ctx ctx = new Ctx(tracing(1.0, false).begin());
        Future<Void> f = StageRunner.runAsync(ctx, "dial", c -> Future.failedFuture(
                ProxyFailure.of(ProxyErrorType.CONNECTION_REFUSED, "refused")));
        assertThat(f.failed()).isTrue();
        assertThat(exported.named("dial").getAttributes().get(TunnelTrace.ERROR)).isEqualTo("connection_refused");
    }

    @Test
    void anOpenedTunnelEndsWithItsRelaySpanAndByteCounts() {
        Ctx ctx = new Ctx(tracing(1.0, false).begin());
        ctx.trace().opened(200);
        assertThat(exported.spans).isEmpty();
        ctx.trace().closed(10, 20, false);
        SpanData relay = exported.named("relay");
        assertThat(relay.getAttributes().get(TunnelTrace.BYTES_TO_CLIENT)).isEqualTo(20L);
        assertThat(relay.getParentSpanId()).isEqualTo(exported.named("tunnel").getSpanId());
        assertThat(exported.named("tunnel").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void sensitiveAttributesOnlyWhenAllowed() {
        TunnelTrace quiet = tracing(1.0, false).begin();
        quiet.sensitive(TunnelTrace.USER, "alice").tag(TunnelTrace.METHOD, "connect").refused(403, null);
        TunnelTrace loud = tracing(1.0, true).begin();
        loud.sensitive(TunnelTrace.USER, "bob").refused(403, null);
        assertThat(exported.spans).hasSize(2);
        assertThat(exported.spans.get(0).getAttributes().get(TunnelTrace.USER)).isNull();
        assertThat(exported.spans.get(0).getAttributes().get(TunnelTrace.METHOD)).isEqualTo("connect");
        assertThat(exported.spans.get(1).getAttributes().get(TunnelTrace.USER)).isEqualTo("bob");
    }

    @Test
    void untracedTunnelsRunTheirStagesWithoutSpans() {
        assertThat(TunnelTracing.off().begin()).isNull();
        assertThat(tracing(0.0, false).begin()).isNull();
        Ctx ctx = new Ctx(null);
        int[] ran = new int[1];
        StageRunner.run(ctx, "parse", c -> ran[0]++);
        assertThat(StageRunner.runAsync(ctx, "dial", c -> Future.succeededFuture(7)).result()).isEqualTo(7);
        assertThat(ran[0]).isEqualTo(1);
        assertThat(exported.spans).isEmpty();
    }
}
