package net.doublehop.runtime.ohttp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/**
 * The Oblivious HTTP metrics of the relay and the gateway, named after Cloudflare's Privacy Gateway
 * (relayStatusCode, gatewayStatusCode, bytesToGateway, bytesToClient, clientRequestErrors,
 * gatewayResponseErrors) in the project's Prometheus style; docs/configuration.md has the mapping.
 * Labels are bounded by configuration: {@code endpoint} is a configured path, {@code status} an HTTP
 * status, {@code reason} one of a fixed set of words. Never an address, target or key identifier.
 */
public final class OhttpMetrics {

    private final MeterRegistry registry;
    private final String role;

    /** @param role {@code relay} or {@code gateway}: the {@code role} label of every series */
    public OhttpMetrics(MeterRegistry registry, String role) {
        this.registry = registry;
        this.role = role;
    }

    /** relayStatusCode (relay) / gatewayStatusCode (gateway): the status this side answered with. */
    public void answered(String endpoint, int status) {
        Counter.builder("privacy_proxy_" + role + "_status_code")
                .description("Oblivious HTTP " + role + " answers by status code")
                .tags("role", role, "endpoint", endpoint, "status", Integer.toString(status))
                .register(registry).increment();
    }

    /** bytesToGateway: encapsulated request bytes the relay forwarded, or the gateway received. */
    public void bytesToGateway(String endpoint, long bytes) {
        Counter.builder("privacy_proxy_bytes_to_gateway").description("Encapsulated request bytes toward the gateway")
                .tags("role", role, "endpoint", endpoint).register(registry).increment(bytes);
    }

    /** bytesToClient: response bytes sent back toward the client. */
    public void bytesToClient(String endpoint, long bytes) {
        Counter.builder("privacy_proxy_bytes_to_client").description("Response bytes toward the client")
                .tags("role", role, "endpoint", endpoint).register(registry).increment(bytes);
    }

    /** clientRequestErrors: requests refused for what the client sent. */
    public void clientRequestError(String endpoint, String reason) {
        Counter.builder("privacy_proxy_client_request_errors").description("Requests refused for what the client sent")
                .tags("role", role, "endpoint", endpoint, "reason", reason).register(registry).increment();
    }

    /** gatewayResponseErrors: the next hop (relay: the gateway; gateway: the target) failed to answer. */
    public void gatewayResponseError(String endpoint, String reason) {
        Counter.builder("privacy_proxy_gateway_response_errors")
                .description("Next hop failures (relay: the gateway; gateway: the target)")
                .tags("role", role, "endpoint", endpoint, "reason", reason).register(registry).increment();
    }

    /**
     * Requests the gateway's replay defence refused (RFC 9458 §6.5): {@code reason} is {@code replayed},
     * {@code date} or {@code register_full}.
     */
    public void replayRefused(String endpoint, String reason) {
        Counter.builder("privacy_proxy_gateway_replay_refusals")
                .description("Requests refused by the gateway's replay defence (RFC 9458 section 6.5)")
                .tags("role", role, "endpoint", endpoint, "reason", reason).register(registry).increment();
    }

    /** The number of requests the gateway's replay register holds now, and its bound. */
    public void replayRegister(Supplier<Number> entries, int maxEntries) {
        Gauge.builder("privacy_proxy_gateway_replay_register_entries", entries)
                .description("Encapsulated requests the gateway's replay register remembers now")
                .tags("role", role).strongReference(true).register(registry);
        Gauge.builder("privacy_proxy_gateway_replay_register_max_entries", () -> maxEntries)
                .description("The replay register's bound (gateway.replay.max-entries)")
                .tags("role", role).strongReference(true).register(registry);
    }
}
