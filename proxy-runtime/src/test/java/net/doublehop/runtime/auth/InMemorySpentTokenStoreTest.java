package net.doublehop.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.doublehop.runtime.auth.SpentTokenStore.Outcome;
import org.junit.jupiter.api.Test;

class InMemorySpentTokenStoreTest {

    private static byte[] bytes(int fill) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    private static Outcome spend(SpentTokenStore s, int key, int nonce) {
        return s.spend(bytes(key), bytes(nonce)).result();
    }

    @Test
    void aTokenIsAcceptedOnce() {
        InMemorySpentTokenStore s = new InMemorySpentTokenStore(10);
        assertThat(spend(s, 1, 7)).isEqualTo(Outcome.FRESH);
        assertThat(spend(s, 1, 7)).isEqualTo(Outcome.REPLAYED);
        assertThat(spend(s, 1, 8)).isEqualTo(Outcome.FRESH);
        // the same nonce under another issuer key is another token
        assertThat(spend(s, 2, 7)).isEqualTo(Outcome.FRESH);
        assertThat(s.size()).isEqualTo(3);
    }

    @Test
    void theCallersArrayMayBeReusedAfterwards() {
        InMemorySpentTokenStore s = new InMemorySpentTokenStore(10);
        byte[] nonce = bytes(5);
        assertThat(s.spend(bytes(1), nonce).result()).isEqualTo(Outcome.FRESH);
        nonce[0] = 9;
        assertThat(s.spend(bytes(1), bytes(5)).result()).isEqualTo(Outcome.REPLAYED);
    }

    @Test
    void fullRefusesNewTokensButStillRecognisesReplaysAndNeverEvicts() {
        InMemorySpentTokenStore s = new InMemorySpentTokenStore(2);
        assertThat(spend(s, 1, 1)).isEqualTo(Outcome.FRESH);
        assertThat(spend(s, 1, 2)).isEqualTo(Outcome.FRESH);
        assertThat(spend(s, 1, 3)).isEqualTo(Outcome.FULL);
        assertThat(spend(s, 1, 1)).isEqualTo(Outcome.REPLAYED);
        assertThat(s.size()).isEqualTo(2);
    }

    @Test
    void retiringAKeyFreesItsEntries() {
        InMemorySpentTokenStore s = new InMemorySpentTokenStore(2);
        spend(s, 1, 1);
        spend(s, 2, 1);
        assertThat(spend(s, 2, 2)).isEqualTo(Outcome.FULL);
        s.retireKey(bytes(1));
        assertThat(s.size()).isEqualTo(1);
        assertThat(spend(s, 2, 2)).isEqualTo(Outcome.FRESH);
        s.retireKey(bytes(3)); // unknown key: nothing happens
        assertThat(s.size()).isEqualTo(2);
    }

    @Test
    void capacityMustBePositive() {
        assertThatThrownBy(() -> new InMemorySpentTokenStore(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
