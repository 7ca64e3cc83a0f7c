package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.proxya.flow.UserLimiter;
import org.junit.jupiter.api.Test;

/** Per-user limits with an injected clock. */
class UserLimiterTest {

    @Test
    void concurrentTunnelsAreBoundedPerUser() {
        UserLimiter l = new UserLimiter(2, 1000, () -> 0L);
        l.acquire("alice");
        l.acquire("alice");
        l.acquire("bob");
        assertThatThrownBy(() -> l.acquire("alice")).isInstanceOfSatisfying(ProxyFailure.class,
                f -> assertThat(f.status()).isEqualTo(429));
        l.release("alice");
        l.acquire("alice");
    }

    @Test
    void rateIsATokenBucketWithBurstOfTwiceTheRate() {
        AtomicLong now = new AtomicLong();
        UserLimiter l = new UserLimiter(1000, 5, now::get);
        for (int i = 0; i < 10; i++) {
            l.acquire("alice"); // the burst
        }
        assertThatThrownBy(() -> l.acquire("alice")).hasMessageContaining("too fast");
        l.acquire("bob"); // other users are not affected
        now.addAndGet(200_000_000L); // 0.2 s at 5/s = one token
        l.acquire("alice");
        assertThatThrownBy(() -> l.acquire("alice")).hasMessageContaining("too fast");
    }
}
