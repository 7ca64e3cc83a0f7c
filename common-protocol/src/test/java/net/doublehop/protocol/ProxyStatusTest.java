package net.doublehop.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The failure → status + Proxy-Status mapping table, and parsing of received entries. */
class ProxyStatusTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "DNS_TIMEOUT, 504, dns_timeout",
        "DNS_ERROR, 502, dns_error",
        "DESTINATION_NOT_FOUND, 502, destination_not_found",
        "DESTINATION_UNAVAILABLE, 503, destination_unavailable",
        "DESTINATION_IP_PROHIBITED, 502, destination_ip_prohibited",
        "DESTINATION_IP_UNROUTABLE, 502, destination_ip_unroutable",
        "CONNECTION_REFUSED, 502, connection_refused",
        "CONNECTION_TERMINATED, 502, connection_terminated",
        "CONNECTION_TIMEOUT, 504, connection_timeout",
        "CONNECTION_READ_TIMEOUT, 504, connection_read_timeout",
        "CONNECTION_WRITE_TIMEOUT, 504, connection_write_timeout",
        "CONNECTION_LIMIT_REACHED, 503, connection_limit_reached",
        "TLS_PROTOCOL_ERROR, 502, tls_protocol_error",
        "TLS_CERTIFICATE_ERROR, 502, tls_certificate_error",
        "TLS_ALERT_RECEIVED, 502, tls_alert_received",
        "HTTP_REQUEST_ERROR, 400, http_request_error",
        "HTTP_REQUEST_DENIED, 403, http_request_denied",
        "HTTP_RESPONSE_TIMEOUT, 504, http_response_timeout",
        "HTTP_PROTOCOL_ERROR, 502, http_protocol_error",
        "PROXY_INTERNAL_ERROR, 500, proxy_internal_error",
        "PROXY_CONFIGURATION_ERROR, 500, proxy_configuration_error",
        "PROXY_LOOP_DETECTED, 502, proxy_loop_detected",
    })
    void mapping(ProxyErrorType type, int status, String token) {
        ProxyFailure f = ProxyFailure.of(type, null);
        assertThat(f.status()).isEqualTo(status);
        assertThat(type.token()).isEqualTo(token);
        assertThat(ProxyErrorType.fromToken(token)).contains(type);
        assertThat(ProxyStatus.format("proxy-b", f)).isEqualTo("proxy-b; error=" + token);
    }

    @Test
    void everyRfc9209TypeIsPresent() {
        assertThat(ProxyErrorType.values()).hasSize(32);
    }

    @Test
    void detailsAreEscapedSfStrings() {
        ProxyFailure f = new ProxyFailure(ProxyErrorType.HTTP_REQUEST_DENIED, 407, "say \"hi\" \\ bye");
        assertThat(ProxyStatus.format("proxy-b", f))
                .isEqualTo("proxy-b; error=http_request_denied; details=\"say \\\"hi\\\" \\\\ bye\"");
        assertThat(ProxyStatus.format("not a token", f)).startsWith("\"not a token\"; error=");
        assertThat(f.status()).isEqualTo(407);
        assertThat(f.getStackTrace()).isEmpty();
    }

    @Test
    void parsesReceivedEntriesTolerantly() {
        List<ProxyStatus.Entry> entries = ProxyStatus.parse(
                "proxy-b; error=destination_ip_prohibited; details=\"refused range\"; next-hop=x, "
                        + "\"proxy a\"; received-status=502; error=brand_new_type");
        assertThat(entries).containsExactly(
                new ProxyStatus.Entry("proxy-b", Optional.of(ProxyErrorType.DESTINATION_IP_PROHIBITED),
                        Optional.of("refused range"), Optional.empty()),
                new ProxyStatus.Entry("proxy a", Optional.empty(), Optional.empty(), Optional.of(502)));
    }

    @ParameterizedTest
    @CsvSource({"0, proxy;dur=0", "1500000, proxy;dur=1.5", "12345678, proxy;dur=12.346", "2000000000, proxy;dur=2000"})
    void serverTiming(long nanos, String expected) {
        assertThat(ServerTiming.entry("proxy", nanos)).isEqualTo(expected);
    }

    @Test
    void secretsCompare() {
        assertThat(Secrets.constantTimeEquals("k1-secret", "k1-secret")).isTrue();
        assertThat(Secrets.constantTimeEquals("k1-secret", "k1-secreT")).isFalse();
        assertThat(Secrets.constantTimeEquals("k1", "k1-secret")).isFalse();
        assertThat(Secrets.constantTimeEquals(null, "x")).isFalse();
    }
}
