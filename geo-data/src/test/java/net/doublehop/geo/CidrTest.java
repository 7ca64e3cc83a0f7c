package net.doublehop.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    static InetAddress ip(String literal) {
        return Cidr.parse(literal).network();
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.0/8, 10.255.1.2, true", "10.0.0.0/8, 11.0.0.1, false", "127.0.0.1, 127.0.0.1, true",
        "127.0.0.1, 127.0.0.2, false", "fe80::/10, fe80::1, true", "fe80::/10, fec0::1, false",
        "10.0.0.0/8, ::ffff:10.1.1.1, true", "::/0, 10.0.0.1, false", "0.0.0.0/0, ::1, false"})
    void cidrContains(String cidr, String address, boolean expected) {
        assertThat(Cidr.parse(cidr).contains(ip(address))).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "example.com", "10.0.0.1/33", "10.0.0.1/8", "10.0.0/8", "fe80::1/129", "1.2.3.4/x",
        "localhost", "::1/-1", "10.0.0.0/ 8", "10.0.0.256", "256.0.0.0/8", "010.0.0.1", "10.0.0.1.", "1.2.3.4.5",
        "1.2.3.+4", "1.2.3.0004", "1::2::3", "::g"})
    void cidrRejects(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Dotted quads are decoded without the JDK's resolver, which would look up an out-of-range one in DNS. */
    @ParameterizedTest
    @CsvSource({"0.0.0.0, 0.0.0.0", "255.255.255.255, 255.255.255.255", "10.0.0.1, 10.0.0.1", "192.0.2.0/24, 192.0.2.0",
        "::ffff:127.0.0.1, 127.0.0.1", "2001:DB8::/32, 2001:db8:0:0:0:0:0:0"})
    void cidrReadsLiterals(String text, String network) {
        assertThat(Cidr.parse(text).network().getHostAddress()).isEqualTo(network);
    }

    @Test
    void cidrExpandsSmallPrefixesOnly() {
        assertThat(Cidr.parse("127.0.0.4/30").expand(256)).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7");
        assertThat(Cidr.parse("::1").expand(1)).hasSize(1);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/23").expand(256)).hasMessageContaining("more than 256");
        assertThatThrownBy(() -> Cidr.parse("2001:db8::/64").expand(256)).hasMessageContaining("more than 256");
    }

}
