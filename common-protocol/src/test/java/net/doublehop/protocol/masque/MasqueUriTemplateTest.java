package net.doublehop.protocol.masque;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import net.doublehop.protocol.masque.MasqueUriTemplate.Matched;
import net.doublehop.protocol.masque.MasqueUriTemplate.NoMatch;
import net.doublehop.protocol.masque.MasqueUriTemplate.Rejected;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 9298 §2-§3 URI templates: load-time validation, matching on the proxy, expansion on the client. */
class MasqueUriTemplateTest {

    private static final MasqueUriTemplate DEFAULT = MasqueUriTemplate.defaultFor("proxy.example", 443);
    private static final MasqueUriTemplate QUERY =
            MasqueUriTemplate.parse("https://proxy.example.org:4443/masque?h={target_host}&p={target_port}");
    private static final MasqueUriTemplate FORM =
            MasqueUriTemplate.parse("https://proxy.example.org:4443/masque{?target_host,target_port}");

    // ---- validation at load ----------------------------------------------------------------------

    /** The three examples of RFC 9298 Figure 1, and other shapes the supported subset allows. */
    @ParameterizedTest
    @ValueSource(strings = {
        "https://example.org/.well-known/masque/udp/{target_host}/{target_port}/",
        "https://proxy.example.org:4443/masque?h={target_host}&p={target_port}",
        "https://proxy.example.org:4443/masque{?target_host,target_port}",
        "https://[2001:db8::1]:443/udp/{target_host},{target_port}",
        "https://p.example/udp/{target_host,target_port}/",
        "https://p.example/udp{?target_host}{&target_port}",
        "https://p.example/udp/{target_host}:{target_port}",
        "https://p.example/{tenant}/{target_host}/{target_port}",
        "https://p.example/u?x=1{&target_host,target_port,extra}",
        "https://p.example/%7Eudp/{target_host}/{target_port}/",
    })
    void validTemplates(String template) {
        assertThat(MasqueUriTemplate.parse(template).template()).isEqualTo(template);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "''|empty",
        "/.well-known/masque/udp/{target_host}/{target_port}/|absolute",
        "https:/p.example/{target_host}/{target_port}|authority",
        "https:///{target_host}/{target_port}|authority is empty",
        "https://p.example|path",
        "https://p.example?{target_host}{&target_port}|path",
        "https://p.example{/target_host,target_port}|authority",
        "https://{proxy}/{target_host}/{target_port}|authority",
        "https://user@p.example/{target_host}/{target_port}|userinfo",
        "https://p.example/{target_host}|target_host and target_port",
        "https://p.example/{target_port}/{host}|target_host and target_port",
        "https://p.example/{target_host}/{target_port}/{target_host}|more than once",
        "https://p.example/{+target_host}/{target_port}|operator '+'",
        "https://p.example/x{#target_host,target_port}|'#'",
        "https://p.example/x{.target_host}/{target_port}|operator '.'",
        "https://p.example/x{/target_host,target_port}|operator '/'",
        "https://p.example/x{;target_host,target_port}|operator ';'",
        "https://p.example/x{=target_host,target_port}|reserved",
        "https://p.example/x{!target_host,target_port}|reserved",
        "https://p.example/x{@target_host,target_port}|reserved",
        "https://p.example/{target_host:3}/{target_port}|level 4",
        "https://p.example/{target_host*}/{target_port}|level 4",
        "https://p.example/{target_host}/{target_port|unclosed",
        "https://p.example/{target_host}}/{target_port}|unmatched",
        "https://p.example/{{target_host}}/{target_port}|nested",
        "https://p.example/{}/{target_host}/{target_port}|empty expression",
        "https://p.example/{target-host}/{target_port}|variable name",
        "https://p.example/{target_host}/{target_port}#frag|fragment",
        "https://p.example/{target_host}{target_port}|in a row",
        "https://p.example/{target_host}x{target_port}|delimiter",
        "https://p.example/{target_host}/{target_port}%zz|percent-encoding",
        "https://p.example/x?a=1{?target_host,target_port}|already started",
        "https://p.example/x{&target_host,target_port}|not started",
        "https://p.example/x/{target_host}/{target_port}/<|not allowed in a URI template literal",
    })
    void invalidTemplates(String template, String reason) {
        assertThatThrownBy(() -> MasqueUriTemplate.parse(template))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void invalidCharacters() {
        for (String t : new String[] {
            "https://p.example/ {target_host}/{target_port}",       // space
            "https://p.example/\u00e9/{target_host}/{target_port}", // non-ASCII
            "https://p.example/\t/{target_host}/{target_port}",     // control
        }) {
            assertThatThrownBy(() -> MasqueUriTemplate.parse(t)).hasMessageContaining("0x21-0x7E");
        }
        assertThatThrownBy(() -> MasqueUriTemplate.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MasqueUriTemplate.defaultFor("p.example", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultTemplate() {
        assertThat(DEFAULT.template())
                .isEqualTo("https://proxy.example:443/.well-known/masque/udp/{target_host}/{target_port}/");
        assertThat(DEFAULT.authority()).isEqualTo("proxy.example:443");
        assertThat(MasqueUriTemplate.defaultFor("2001:db8::1", 8443).authority()).isEqualTo("[2001:db8::1]:8443");
    }

    // ---- matching --------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/.well-known/masque/udp/192.0.2.6/443/,                 192.0.2.6,          443",
        "/.well-known/masque/udp/Example.COM/53/,                example.com,        53",
        "/.well-known/masque/udp/2001%3Adb8%3A%3A1/443/,         2001:db8::1,        443",
        "/.well-known/masque/udp/2001%3adb8%3a%3a42/1/,          2001:db8::42,       1",
        "/.well-known/masque/udp/2001:db8::1/443/,               2001:db8::1,        443",   // literal colons accepted
        "/.well-known/masque/udp/%3A%3Affff%3A192.0.2.1/53/,     ::ffff:192.0.2.1,   53",
        "/.well-known/masque/udp/%3A%3A/65535/,                  ::,                 65535",
        "/.well-known/masque/udp/my_host-1.example/0443/,        my_host-1.example,  443",   // port = *DIGIT
        "/.well-known/masque/udp/%65xample.com/%34%34%33/,       example.com,        443",   // any char may be encoded
        "https://proxy.example:443/.well-known/masque/udp/192.0.2.6/443/, 192.0.2.6, 443", // HTTP/1.1 absolute-form
        "HTTPS://other.name/.well-known/masque/udp/192.0.2.6/443/,        192.0.2.6, 443",
    })
    void matchesDefaultTemplate(String path, String host, int port) {
        assertThat(DEFAULT.match(path)).isEqualTo(new Matched(new UdpTarget(host, port)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/.well-known/masque/udp//443/,                   EMPTY_HOST",
        "/.well-known/masque/udp/example.com//,           EMPTY_PORT",
        "/.well-known/masque/udp/example.com/0/,          PORT_OUT_OF_RANGE",
        "/.well-known/masque/udp/example.com/65536/,      PORT_OUT_OF_RANGE",
        "/.well-known/masque/udp/example.com/99999999999999999999/, PORT_OUT_OF_RANGE",
        "/.well-known/masque/udp/example.com/http/,       BAD_PORT",
        "/.well-known/masque/udp/example.com/-1/,         BAD_PORT",
        "/.well-known/masque/udp/example.com/%2B443/,     BAD_PORT",    // +443
        "/.well-known/masque/udp/example.com/44%20/,      BAD_PORT",
        "/.well-known/masque/udp/*/443/,                  WILDCARD_HOST",
        "/.well-known/masque/udp/%2A/443/,                WILDCARD_HOST",
        "/.well-known/masque/udp/%2A.example.com/443/,    WILDCARD_HOST",
        "/.well-known/masque/udp/fe80%3A%3A1%25eth0/443/, ZONE_ID",
        "/.well-known/masque/udp/fe80%3A%3A1%2525eth0/443/, ZONE_ID",
        "/.well-known/masque/udp/%5B2001%3Adb8%3A%3A1%5D/443/, BAD_HOST", // brackets are not IPv6address
        "/.well-known/masque/udp/2001%3Adb8%3A%3A1%3A%3A2/443/, BAD_HOST", // two '::'
        "/.well-known/masque/udp/1%3A2%3A3%3A4%3A5%3A6%3A7%3A8%3A9/443/, BAD_HOST",
        "/.well-known/masque/udp/256.0.0.1/443/,          BAD_HOST",
        "/.well-known/masque/udp/01.2.3.4/443/,           BAD_HOST",     // leading zero: octal to some
        "/.well-known/masque/udp/127.1/443/,              BAD_HOST",     // inet_aton short form
        "/.well-known/masque/udp/2130706433/443/,         BAD_HOST",     // 127.0.0.1 as one number
        "/.well-known/masque/udp/0x7f.1/443/,             BAD_HOST",
        "/.well-known/masque/udp/example.123/443/,        BAD_HOST",     // ends in a number
        "/.well-known/masque/udp/-bad.example/443/,       BAD_HOST",
        "/.well-known/masque/udp/a..b/443/,               BAD_HOST",
        "/.well-known/masque/udp/example.com./443/,       BAD_HOST",
        "/.well-known/masque/udp/ex%2Fample/443/,         BAD_HOST",     // decoded '/'
        "/.well-known/masque/udp/ex%00ample/443/,         BAD_HOST",
        "/.well-known/masque/udp/%C3%A9.example/443/,     BAD_HOST",     // non-ASCII
        "/.well-known/masque/udp/user%40example.com/443/, BAD_HOST",
        "/.well-known/masque/udp/%zz/443/,                BAD_ENCODING",
        "/.well-known/masque/udp/example.com/%4/,         BAD_ENCODING",
    })
    void rejectsBadTargets(String path, TargetError error) {
        assertThat(DEFAULT.match(path)).isEqualTo(new Rejected(error));
    }

    @Test
    void rejectsOverlongHost() {
        String host = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61);
        assertThat(DEFAULT.match("/.well-known/masque/udp/" + host + "/443/")).isInstanceOf(Matched.class);
        assertThat(DEFAULT.match("/.well-known/masque/udp/x" + host + "/443/")).isEqualTo(new Rejected(TargetError.BAD_HOST));
        assertThat(DEFAULT.match("/.well-known/masque/udp/" + "a".repeat(64) + "/443/"))
                .isEqualTo(new Rejected(TargetError.BAD_HOST));
        // Hostile lengths are handled in linear time and end up rejected, not thrown.
        assertThat(DEFAULT.match("/.well-known/masque/udp/" + "%41".repeat(1_000_000) + "/443/"))
                .isEqualTo(new Rejected(TargetError.BAD_HOST));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "/",
        "/.well-known/masque/udp/192.0.2.6/443",         // no trailing slash
        "/.well-known/masque/udp/192.0.2.6/443/x",
        "/.well-known/masque/udp/192.0.2.6/443/?x=1",
        "/.well-known/masque/udp/192.0.2.6/443//",
        "/.well-known/masque/udp/192.0.2.6/extra/443/",
        "/.well-known/masque/tcp/192.0.2.6/443/",
        "/.WELL-KNOWN/masque/udp/192.0.2.6/443/",
        "/.well-known/masque/udp/[2001:db8::1]/443/",    // '[' is not a value character
        "/.well-known/masque/udp/a b/443/",
        "ftp://proxy.example/.well-known/masque/udp/192.0.2.6/443/",
        "*",
    })
    void notThisResource(String path) {
        assertThat(DEFAULT.match(path)).isInstanceOf(NoMatch.class);
        assertThat(DEFAULT.match(null)).isInstanceOf(NoMatch.class);
    }

    @Test
    void queryForms() {
        assertThat(QUERY.match("/masque?h=2001%3Adb8%3A%3A1&p=443"))
                .isEqualTo(new Matched(new UdpTarget("2001:db8::1", 443)));
        assertThat(QUERY.match("/masque?h=2001:db8::1&p=443"))
                .isEqualTo(new Matched(new UdpTarget("2001:db8::1", 443)));
        assertThat(QUERY.match("/masque?h=&p=443")).isEqualTo(new Rejected(TargetError.EMPTY_HOST));
        assertThat(QUERY.match("/masque?p=443&h=example.com")).isInstanceOf(NoMatch.class);
        assertThat(QUERY.match("/masque?h=example.com&p=443&x=1")).isInstanceOf(NoMatch.class);

        assertThat(FORM.match("/masque?target_host=192.0.2.6&target_port=443"))
                .isEqualTo(new Matched(new UdpTarget("192.0.2.6", 443)));
        assertThat(FORM.match("/masque?target_host=&target_port=443")).isEqualTo(new Rejected(TargetError.EMPTY_HOST));
        assertThat(FORM.match("/masque?target_port=443")).isEqualTo(new Rejected(TargetError.EMPTY_HOST));
        assertThat(FORM.match("/masque?target_host=example.com")).isEqualTo(new Rejected(TargetError.EMPTY_PORT));
        assertThat(FORM.match("/masque")).isEqualTo(new Rejected(TargetError.EMPTY_HOST));
        assertThat(FORM.match("/masque?target_port=443&target_host=example.com")).isInstanceOf(NoMatch.class);
        assertThat(FORM.match("/masque?other=1")).isInstanceOf(NoMatch.class);
    }

    @Test
    void otherTemplateShapes() {
        MasqueUriTemplate colon = MasqueUriTemplate.parse("https://p.example/udp/{target_host}:{target_port}");
        // The literal ':' that follows target_host ends it, so here IPv6 colons must be encoded.
        assertThat(colon.match("/udp/example.com:53")).isEqualTo(new Matched(new UdpTarget("example.com", 53)));
        assertThat(colon.match("/udp/2001%3Adb8%3A%3A1:53")).isEqualTo(new Matched(new UdpTarget("2001:db8::1", 53)));

        MasqueUriTemplate pair = MasqueUriTemplate.parse("https://p.example/udp/{target_host,target_port}/");
        assertThat(pair.match("/udp/example.com,53/")).isEqualTo(new Matched(new UdpTarget("example.com", 53)));
        assertThat(pair.match("/udp/example.com/")).isInstanceOf(NoMatch.class);

        MasqueUriTemplate extra = MasqueUriTemplate.parse("https://p.example/u?x=1{&target_host,target_port,extra}");
        assertThat(extra.match("/u?x=1&target_host=a.example&target_port=9&extra=zz"))
                .isEqualTo(new Matched(new UdpTarget("a.example", 9)));
        assertThat(extra.match("/u?x=1&target_host=a.example&target_port=9"))
                .isEqualTo(new Matched(new UdpTarget("a.example", 9)));

        MasqueUriTemplate split = MasqueUriTemplate.parse("https://p.example/udp{?target_host}{&target_port}");
        assertThat(split.match("/udp?target_host=a.example&target_port=9"))
                .isEqualTo(new Matched(new UdpTarget("a.example", 9)));
    }

    /** Random request targets over the characters that matter: no exception, every match valid. */
    @Test
    void randomRequestTargetsNeverThrow() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(6570);
        String alphabet = "/?&=,:%*.-_~[]#aZ09fF3A";
        String prefix = "/.well-known/masque/udp/";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? prefix : "/masque?");
            int n = rnd.nextInt(40);
            for (int j = 0; j < n; j++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            for (MasqueUriTemplate t : new MasqueUriTemplate[] {DEFAULT, QUERY, FORM}) {
                MasqueUriTemplate.Match m = t.match(sb.toString());
                if (m instanceof Matched ok) {
                    assertThat(UdpTarget.hostError(ok.target().host())).isNull();
                    assertThat(ok.target().port()).isBetween(1, 65535);
                }
            }
        }
    }

    // ---- expansion -------------------------------------------------------------------------------

    @Test
    void expandsForClients() {
        UdpTarget v6 = new UdpTarget("2001:db8::42", 443);
        assertThat(DEFAULT.expand(v6))
                .isEqualTo("https://proxy.example:443/.well-known/masque/udp/2001%3Adb8%3A%3A42/443/");
        assertThat(DEFAULT.expandPathAndQuery(new UdpTarget("192.0.2.6", 443)))
                .isEqualTo("/.well-known/masque/udp/192.0.2.6/443/");
        assertThat(QUERY.expandPathAndQuery(v6)).isEqualTo("/masque?h=2001%3Adb8%3A%3A42&p=443");
        assertThat(FORM.expand(new UdpTarget("Example.com", 53)))
                .isEqualTo("https://proxy.example.org:4443/masque?target_host=example.com&target_port=53");
        MasqueUriTemplate extra = MasqueUriTemplate.parse("https://p.example/{tenant}/u{?target_host,target_port,x}");
        assertThat(extra.expandPathAndQuery(v6, Map.of("tenant", "a b", "x", "")))
                .isEqualTo("/a%20b/u?target_host=2001%3Adb8%3A%3A42&target_port=443&x=");
    }

    @Test
    void expandThenMatchRoundTrips() {
        for (MasqueUriTemplate t : new MasqueUriTemplate[] {DEFAULT, QUERY, FORM}) {
            for (UdpTarget target : new UdpTarget[] {
                new UdpTarget("2001:db8::1", 1), new UdpTarget("::ffff:192.0.2.1", 65535),
                new UdpTarget("192.0.2.6", 443), new UdpTarget("dns.example", 53)}) {
                assertThat(t.match(t.expandPathAndQuery(target))).isEqualTo(new Matched(target));
                assertThat(t.match(t.expand(target))).isEqualTo(new Matched(target));
            }
        }
    }

    @Test
    void targetsAreValidatedBeforeExpansion() {
        assertThatThrownBy(() -> new UdpTarget("*", 443)).hasMessageContaining("wildcard");
        assertThatThrownBy(() -> new UdpTarget("", 443)).hasMessageContaining("empty");
        assertThatThrownBy(() -> new UdpTarget("fe80::1%eth0", 443)).hasMessageContaining("zone");
        assertThatThrownBy(() -> new UdpTarget("example.com", 0)).hasMessageContaining("65535");
        assertThatThrownBy(() -> new UdpTarget("[2001:db8::1]", 443)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new UdpTarget("2001:DB8::1", 443).authority()).isEqualTo("[2001:db8::1]:443");
        assertThat(new UdpTarget("192.0.2.6", 443).isIpv4()).isTrue();
    }
}
