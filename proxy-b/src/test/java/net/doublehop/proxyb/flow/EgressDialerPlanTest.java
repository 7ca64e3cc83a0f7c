package net.doublehop.proxyb.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Happy Eyeballs dial plan (RFC 8305 §4): which destination from which egress, in which order. */
class EgressDialerPlanTest {

    private static List<InetAddress> addresses(String spaceSeparated) {
        if (spaceSeparated == null || spaceSeparated.isBlank()) {
            return List.of();
        }
        return Arrays.stream(spaceSeparated.trim().split("\\s+")).map(a -> {
            try {
                return InetAddress.getByName(a); // literals only in this table
            } catch (Exception e) {
                throw new IllegalArgumentException(e);
            }
        }).toList();
    }

    @ParameterizedTest(name = "egress [{0}] to [{1}] -> {2}")
    @CsvSource(delimiter = '|', value = {
        // egress (ranked)        | destinations                         | plan as dest<-egress
        "127.0.0.2                | 192.0.2.1                            | 192.0.2.1<-127.0.0.2",
        "127.0.0.3 ::1            | 192.0.2.1 2001:db8::1                | 2001:db8::1<-::1 192.0.2.1<-127.0.0.3",
        "::1 127.0.0.3            | 192.0.2.1 192.0.2.2 2001:db8::1      | 2001:db8::1<-::1 192.0.2.1<-127.0.0.3 192.0.2.2<-127.0.0.3",
        "127.0.0.2                | 2001:db8::1                          | ''",
        "::1                      | 192.0.2.1                            | ''",
        "127.0.0.4 127.0.0.2      | 192.0.2.1 2001:db8::1 2001:db8::2    | 192.0.2.1<-127.0.0.4",
    })
    void plan(String egress, String destinations, String expected) {
        List<String> plan = EgressDialer.plan(addresses(egress), addresses(destinations)).stream()
                .map(a -> a.destination().getHostAddress().replace("0:0:0:0:0:0:0:1", "::1")
                        .replace("2001:db8:0:0:0:0:0:", "2001:db8::") + "<-"
                        + a.egress().getHostAddress().replace("0:0:0:0:0:0:0:1", "::1"))
                .toList();
        assertThat(String.join(" ", plan)).isEqualTo(expected);
    }
}
