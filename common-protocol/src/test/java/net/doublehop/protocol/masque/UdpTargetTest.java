package net.doublehop.protocol.masque;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 9298 Figure 2 target syntax, checked on decoded values: the RFC 3986 literal grammars. */
class UdpTargetTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "1:2:3:4:5:6:7:8", "::", "::1", "1::", "2001:db8::42", "2001:DB8:0:0:8:800:200C:417A",
        "ff01::101", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::8", "::ffff:192.0.2.1",
        "1:2:3:4:5:6:192.0.2.1", "::192.0.2.1", "64:ff9b::192.0.2.33", "abcd:ef01:2345:6789:abcd:ef01:2345:6789",
    })
    void ipv6Literals(String host) {
        assertThat(UdpTarget.hostError(host)).isNull();
        assertThat(new UdpTarget(host, 1).isIpv6()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", ":::", "1:::2",
        "1::2::3", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "12345::", "g::", "1:2:3:4:5:6:7:192.0.2.1",
        "::192.0.2", "::256.0.0.1", "::01.2.3.4", "192.0.2.1::", "[::1]", "::1 ",
    })
    void notIpv6Literals(String host) {
        assertThat(UdpTarget.hostError(host)).isEqualTo(TargetError.BAD_HOST);
    }

    @ParameterizedTest
    @CsvSource({
        "fe80::1%eth0, ZONE_ID",
        "fe80::1%25eth0, ZONE_ID",
        "fe80::1%1, ZONE_ID",
        "1:2:3:4:5:6:7:8%, ZONE_ID",
        "*, WILDCARD_HOST",
        "*.example.com, WILDCARD_HOST",
        "'', EMPTY_HOST",
    })
    void refusedHosts(String host, TargetError error) {
        assertThat(UdpTarget.hostError(host)).isEqualTo(error);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "192.0.2.6", "255.255.255.255", "10.0.0.1"})
    void ipv4Literals(String host) {
        assertThat(UdpTarget.hostError(host)).isNull();
        assertThat(new UdpTarget(host, 1).isIpv4()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3", "1.2.3.4.5", "1.2.3.256", "1.2.3.04", "1..2.3", "1.2.3.4.", ".1.2.3.4",
        "1.2.3.1000", "0x7f.0.0.1", "127.1", "2130706433", "0x7f000001", "a.0x1f", "example.123"})
    void numericLookingNamesMustBeStrictIpv4(String host) {
        assertThat(UdpTarget.hostError(host)).isEqualTo(TargetError.BAD_HOST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "EXAMPLE.com", "a", "xn--nxasmq6b.example", "my_host-1.example",
        "1.example", "123abc.example", "a.b0x", "0xg.example"})
    void dnsNames(String host) {
        assertThat(UdpTarget.hostError(host)).isNull();
        assertThat(new UdpTarget(host, 53).host()).isEqualTo(host.toLowerCase(java.util.Locale.ROOT));
    }

    @ParameterizedTest
    @CsvSource({
        "1, ", "443, ", "65535, ", "00053, ",
        "'', EMPTY_PORT", "0, PORT_OUT_OF_RANGE", "65536, PORT_OUT_OF_RANGE", "4294967297, PORT_OUT_OF_RANGE",
        "1e3, BAD_PORT", "+1, BAD_PORT", "' 1', BAD_PORT", "0x50, BAD_PORT",
    })
    void ports(String text, TargetError error) {
        assertThat(UdpTarget.portError(text)).isEqualTo(error);
    }
}
