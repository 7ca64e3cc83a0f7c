package net.doublehop.proxyb.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import net.doublehop.protocol.ProxyFailure;
import org.junit.jupiter.api.Test;

class NonceBindingTest {

    private static final long NOW = 1_800_000_000L;
    private final Clock clock = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    private final Object connectionA = new Object();
    private final Object connectionB = new Object();

    @Test
    void aNonceIsGoodAgainOnlyOnTheConnectionThatFirstPresentedIt() {
        NonceBinding n = new NonceBinding(clock, 30, 100);
        n.check("n1", NOW + 60, connectionA);
        n.check("n1", NOW + 60, connectionA);
        assertThatThrownBy(() -> n.check("n1", NOW + 60, connectionB)).isInstanceOf(ProxyFailure.class)
                .satisfies(e -> {
                    assertThat(((ProxyFailure) e).status()).isEqualTo(403);
                    assertThat(((ProxyFailure) e).details()).contains("replayed");
                });
        n.check("n2", NOW + 60, connectionB);
    }

    @Test
    void aSignatureWithoutNonceIsRefused() {
        assertThatThrownBy(() -> new NonceBinding(clock, 30, 100).check(null, NOW + 60, connectionA))
                .isInstanceOf(ProxyFailure.class).hasMessageContaining("without nonce");
    }

    @Test
    void expiredEntriesMakeRoomAndAFullStoreRefusesRatherThanForgets() {
        NonceBinding n = new NonceBinding(clock, 0, 2);
        n.check("old", NOW - 10, connectionA); // long expired: swept when room is needed
        n.check("live", NOW + 60, connectionA);
        n.check("new", NOW + 60, connectionA);
        assertThat(n.size()).isEqualTo(2);
        assertThatThrownBy(() -> n.check("more", NOW + 60, connectionB)).isInstanceOf(ProxyFailure.class)
                .hasMessageContaining("full");
        n.check("live", NOW + 60, connectionA); // what is bound stays bound
        assertThatThrownBy(() -> n.check("live", NOW + 60, connectionB)).hasMessageContaining("replayed");
    }
}
