package net.doublehop.protocol.ohttp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Date check of RFC 9458 §6.5.1 and the HTTP-date the §6.5.2 refusal carries. */
class RequestDateTest {

    private static final Instant NOW = Instant.parse("2022-02-07T00:28:05Z");
    private static final Duration SKEW = Duration.ofSeconds(30);

    @Test
    void formatsImfFixdateAsTheRfcExample() {
        assertThat(RequestDate.format(NOW)).isEqualTo("Mon, 07 Feb 2022 00:28:05 GMT");
    }

    @Test
    void acceptsADateWithinTheSkewEitherWay() {
        for (Instant d : List.of(NOW, NOW.minus(SKEW), NOW.plus(SKEW))) {
            assertThat(RequestDate.check(List.of(RequestDate.format(d)), NOW, SKEW, true))
                    .isEqualTo(RequestDate.Verdict.ACCEPTABLE);
        }
    }

    @Test
    void refusesADateOutsideTheSkewSeveralDatesOrOneThatIsNoHttpDate() {
        for (Instant d : List.of(NOW.minusSeconds(31), NOW.plusSeconds(31), NOW.minus(Duration.ofDays(1)))) {
            assertThat(RequestDate.check(List.of(RequestDate.format(d)), NOW, SKEW, false))
                    .isEqualTo(RequestDate.Verdict.OUTSIDE);
        }
        String ok = RequestDate.format(NOW);
        assertThat(RequestDate.check(List.of(ok, ok), NOW, SKEW, false)).isEqualTo(RequestDate.Verdict.OUTSIDE);
        assertThat(RequestDate.check(List.of("yesterday"), NOW, SKEW, false)).isEqualTo(RequestDate.Verdict.OUTSIDE);
    }

    @Test
    void aMissingDateIsRefusedOnlyWhenRequired() {
        assertThat(RequestDate.check(List.of(), NOW, SKEW, false)).isEqualTo(RequestDate.Verdict.ACCEPTABLE);
        assertThat(RequestDate.check(List.of(), NOW, SKEW, true)).isEqualTo(RequestDate.Verdict.MISSING);
    }
}
