package net.doublehop.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** sec-ch-geohash, CONNECT targets and Proxy-Authorization: what parses, and every rejection. */
class HeaderParsingTest {

    @ParameterizedTest
    @CsvSource({"xn76c-JP, xn76c, JP", "gcpvj-GB, gcpvj, GB", "u-DK, u, DK", "' xn76-JP ', xn76, JP",
        "0123456789bc-US, 0123456789bc, US"})
    void geohashValid(String value, String geohash, String country) {
        GeohashHint h = GeohashHint.parse(value);
        assertThat(h).isEqualTo(new GeohashHint(geohash, country));
        assertThat(h.headerValue()).isEqualTo(geohash + "-" + country);
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
        "xn76c|malformed sec-ch-geohash",
        "xn76c-|malformed sec-ch-geohash",
        "-JP|malformed sec-ch-geohash",
        "XN76C-JP|malformed sec-ch-geohash",
        "xna6c-JP|malformed sec-ch-geohash",
        "xni6c-JP|malformed sec-ch-geohash",
        "xnl6c-JP|malformed sec-ch-geohash",
        "xno6c-JP|malformed sec-ch-geohash",
        "xn7 6c-JP|malformed sec-ch-geohash",
        "xn76c-JP-GB|malformed sec-ch-geohash",
        "xn76c-jp|malformed sec-ch-geohash",
        "xn76c-JPN|malformed sec-ch-geohash",
        "xn76c-J|malformed sec-ch-geohash",
        "xn76cxn76cxn7-JP|sec-ch-geohash too precise",
        "xn76c-XX|sec-ch-geohash country unknown",
        "xn76c-ZZ|sec-ch-geohash country unknown",
    })
    void geohashRejected(String value, String detail) {
        assertThatThrownBy(() -> GeohashHint.parse(value)).isInstanceOfSatisfying(ProxyFailure.class, f -> {
            assertThat(f.status()).isEqualTo(400);
            assertThat(f.details()).isEqualTo(detail);
        });
    }

    @ParameterizedTest
    @NullAndEmptySource
    void geohashEmpty(String value) {
        assertThatThrownBy(() -> GeohashHint.parse(value)).isInstanceOf(ProxyFailure.class);
    }

    @Test
    void truncateOnlyMakesCoarser() {
        assertThat(GeohashHint.parse("xn76cydhz-JP").truncate(5)).isEqualTo(new GeohashHint("xn76c", "JP"));
        assertThat(GeohashHint.parse("xn7-JP").truncate(5)).isEqualTo(new GeohashHint("xn7", "JP"));
    }

    @ParameterizedTest
    @CsvSource({
        "example.com:443, example.com, 443, false, example.com:443",
        "EXAMPLE.com:443, example.com, 443, false, example.com:443",
        "1.2.3.4:80, 1.2.3.4, 80, true, 1.2.3.4:80",
        "[2001:db8::1]:443, 2001:db8:0:0:0:0:0:1, 443, true, [2001:db8:0:0:0:0:0:1]:443",
        "[::1]:65535, 0:0:0:0:0:0:0:1, 65535, true, [0:0:0:0:0:0:0:1]:65535",
        "my_host-1.example:1, my_host-1.example, 1, false, my_host-1.example:1",
    })
    void targetValid(String text, String host, int port, boolean literal, String authority) {
        ConnectTarget t = ConnectTarget.parse(text);
        assertThat(t.host()).isEqualTo(host);
        assertThat(t.port()).isEqualTo(port);
        assertThat(t.isIpLiteral()).isEqualTo(literal);
        assertThat(t.authority()).isEqualTo(authority);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "example.com", "example.com:", "example.com:0", "example.com:65536",
        "example.com:99999999999", "user@example.com:443", "exa mple.com:443", "[fe80::1%25eth0]:443",
        "[fe80::1%eth0]:443", "2001:db8::1:443", ":443", "[::1:443", "[::1]", "[::1]x:443", "example.com:+443",
        "example.com:-1", "example.com:44 3", "[not-ipv6]:443", "[1.2.3.4]:443", "999.1.1.1:80", "01.2.3.4:80",
        "-bad.example:80", "a..b:80", ".example.com:80", "exa\tmple.com:80", "ex%41mple.com:80"})
    void targetRejected(String text) {
        assertThatThrownBy(() -> ConnectTarget.parse(text)).isInstanceOfSatisfying(ProxyFailure.class,
                f -> assertThat(f.status()).isEqualTo(400));
    }

    @Test
    void targetTooLong() {
        String label = "a".repeat(63);
        String host = String.join(".", label, label, label, label); // 255 characters
        assertThatThrownBy(() -> ConnectTarget.parse(host + ":443")).isInstanceOf(ProxyFailure.class);
        assertThatThrownBy(() -> ConnectTarget.parse("a".repeat(64) + ".example:443")).isInstanceOf(ProxyFailure.class);
    }

    @Test
    void credentials() {
        assertThat(ProxyAuthorizationParser.parse("Preshared k1-key")).isEqualTo(new ProxyCredential.Preshared("k1-key"));
        assertThat(ProxyAuthorizationParser.parse("PRESHARED k1-key")).isEqualTo(new ProxyCredential.Preshared("k1-key"));
        assertThat(ProxyAuthorizationParser.parse("Basic dXNlcjpwYTpzcw=="))
                .isEqualTo(new ProxyCredential.Basic("user", "pa:ss"));
        assertThat(ProxyAuthorizationParser.parse("PrivateToken token=\"abc_-=\""))
                .isEqualTo(new ProxyCredential.PrivateToken("abc_-="));
        assertThat(ProxyAuthorizationParser.parse("PrivateToken token=abc=, other=1"))
                .isEqualTo(new ProxyCredential.PrivateToken("abc="));
        assertThat(ProxyAuthorizationParser.parse("Bearer xyz")).isEqualTo(new ProxyCredential.Unknown("bearer"));
        assertThat(new ProxyCredential.Preshared("secret").toString()).doesNotContain("secret");
        assertThat(new ProxyCredential.Basic("u", "secret").toString()).doesNotContain("secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "Preshared", "Preshared a b", "Basic !!!", "Basic dXNlcg==",
        "PrivateToken", "PrivateToken token=", "PrivateToken token=\"unterminated", "PrivateToken token=a, token=b"})
    void credentialsRejected(String value) {
        assertThatThrownBy(() -> ProxyAuthorizationParser.parse(value)).isInstanceOfSatisfying(ProxyFailure.class,
                f -> assertThat(f.status()).isEqualTo(400));
    }
}
