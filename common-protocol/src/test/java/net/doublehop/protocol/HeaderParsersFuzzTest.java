package net.doublehop.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz targets (Jazzer) for the request-header parsers both proxies run on every request: the CONNECT target, the
 * {@code sec-ch-geohash} hint and {@code Proxy-Authorization}. Each may refuse its input only with a
 * {@link ProxyFailure} of status 400 (any other exception would become a 500 or a dropped connection), and what it
 * accepts must survive a round trip through its own form. Inputs are the header's bytes, read as ISO-8859-1 as the
 * HTTP codecs hand them on. Seeds: src/test/resources/net/doublehop/protocol/HeaderParsersFuzzTestInputs; long
 * runs: scripts/fuzz.sh.
 */
class HeaderParsersFuzzTest {

    private static String text(byte[] input) {
        return new String(input, StandardCharsets.ISO_8859_1);
    }

    private static void assertBadRequest(ProxyFailure f) {
        assertThat(f.status()).as(f.getMessage()).isEqualTo(400);
        assertThat(f.type()).isEqualTo(ProxyErrorType.HTTP_REQUEST_ERROR);
    }

    @FuzzTest
    void connectTarget(byte[] input) {
        ConnectTarget t;
        try {
            t = ConnectTarget.parse(text(input));
        } catch (ProxyFailure f) {
            assertBadRequest(f);
            return;
        }
        assertThat(t.port()).isBetween(1, 65535);
        assertThat(t.host()).isNotEmpty().isLowerCase();
        assertThat(ConnectTarget.parse(t.authority())).isEqualTo(t);
    }

    @FuzzTest
    void geohashHint(byte[] input) {
        GeohashHint h;
        try {
            h = GeohashHint.parse(text(input));
        } catch (ProxyFailure f) {
            assertBadRequest(f);
            return;
        }
        assertThat(h.geohash().length()).isBetween(1, GeohashHint.MAX_PRECISION);
        assertThat(GeohashHint.parse(h.geohash() + "-" + h.country())).isEqualTo(h);
    }

    @FuzzTest
    void proxyAuthorization(byte[] input) {
        try {
            assertThat(ProxyAuthorizationParser.parse(text(input))).isNotNull();
        } catch (ProxyFailure f) {
            assertBadRequest(f);
        }
    }
}
