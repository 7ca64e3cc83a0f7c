package net.doublehop.proxyb.egress;

import net.doublehop.geo.Cidr;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The built-in refused ranges, public addresses, embedded IPv4 forms and the allow list. */
class DestinationPolicyTest {

    private static final DestinationPolicy DEFAULT = new DestinationPolicy(List.of());
    private static final DestinationPolicy ALLOW_ONE = new DestinationPolicy(List.of(Cidr.parse("127.0.0.1/32"),
            Cidr.parse("10.9.0.0/16")));

    @ParameterizedTest(name = "{0} permitted={1}")
    @CsvSource({
        "0.0.0.0, false", "0.1.2.3, false", "10.0.0.1, false", "100.64.0.1, false", "100.127.255.254, false",
        "127.0.0.1, false", "127.255.255.255, false", "169.254.169.254, false", "169.254.0.1, false",
        "172.16.0.1, false", "172.31.255.255, false", "192.0.0.8, false", "192.0.2.1, false", "192.88.99.1, false",
        "192.168.1.1, false", "198.18.0.1, false", "198.19.255.255, false", "198.51.100.7, false",
        "203.0.113.9, false", "224.0.0.1, false", "239.255.255.250, false", "240.0.0.1, false",
        "255.255.255.255, false",
        "::, false", "::1, false", "100::1, false", "2001:db8::1, false", "2001::1, false", "fc00::1, false",
        "fd00:ec2::254, false", "fe80::1, false", "fec0::1, false", "ff02::1, false",
        "::ffff:10.0.0.1, false", "::ffff:8.8.8.8, true", "64:ff9b::a00:1, false", "64:ff9b::808:808, true",
        "64:ff9b:1::1, false", "2002:a00:1::, false", "2002:808:808::, true", "::10.0.0.1, false",
        "8.8.8.8, true", "1.1.1.1, true", "100.63.255.255, true", "100.128.0.0, true", "172.15.255.255, true",
        "172.32.0.0, true", "192.169.0.1, true", "2606:4700::1111, true", "2a00:1450::1, true",
    })
    void builtIn(String address, boolean permitted) {
        assertThat(DEFAULT.permits(Cidr.parse(address).network())).isEqualTo(permitted);
    }

    @ParameterizedTest(name = "{0} permitted={1} with allow list")
    @CsvSource({"127.0.0.1, true", "127.0.0.2, false", "10.9.1.1, true", "10.8.1.1, false", "::ffff:127.0.0.1, true",
        "8.8.8.8, true"})
    void allowList(String address, boolean permitted) {
        assertThat(ALLOW_ONE.permits(Cidr.parse(address).network())).isEqualTo(permitted);
    }
}
