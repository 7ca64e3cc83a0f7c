package net.doublehop.protocol.sf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 8941 examples and the edge cases our headers depend on. */
class StructuredFieldsTest {

    @Test
    void rfc8941DictionaryExample() {
        // §3.2: en="Applepie", da=:w4ZibGV0w6ZydGU=:
        Map<String, Member> d = StructuredFields.parseDictionary("en=\"Applepie\", da=:w4ZibGV0w6ZydGU=:");
        assertThat(d.get("en").value()).isEqualTo("Applepie");
        assertThat(new String(((ByteSequence) d.get("da").value()).bytes(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("Æbletærte"); // "apple pie" in Danish
    }

    @Test
    void rfc8941BooleansAndParameters() {
        // §3.2: a=?0, b, c; foo=bar
        Map<String, Member> d = StructuredFields.parseDictionary("a=?0, b, c; foo=bar");
        assertThat(d.get("a").value()).isEqualTo(false);
        assertThat(d.get("b").value()).isEqualTo(true);
        assertThat(d.get("c").param("foo")).isEqualTo(new Token("bar"));
    }

    @Test
    void rfc8941InnerLists() {
        // §3.1.1: ("foo" "bar"), ("baz"), ("bat" "one"), ()
        List<Member> l = StructuredFields.parseList("(\"foo\" \"bar\"), (\"baz\"), (\"bat\" \"one\"), ()");
        assertThat(l).hasSize(4);
        assertThat(((InnerList) l.get(0).value()).items()).extracting(Member::value).containsExactly("foo", "bar");
        assertThat(((InnerList) l.get(3).value()).items()).isEmpty();
        // §3.1.2: ("foo"; a=1;b=2);lvl=5, ("bar" "baz");lvl=1
        List<Member> p = StructuredFields.parseList("(\"foo\"; a=1;b=2);lvl=5, (\"bar\" \"baz\");lvl=1");
        assertThat(p.get(0).param("lvl")).isEqualTo(5L);
        assertThat(((InnerList) p.get(0).value()).items().get(0).param("b")).isEqualTo(2L);
    }

    @Test
    void numbers() {
        List<Member> l = StructuredFields.parseList("42, -17, 4.5, 999999999999999, 123456789012.123");
        assertThat(l).extracting(Member::value).containsExactly(42L, -17L, new BigDecimal("4.5"),
                999999999999999L, new BigDecimal("123456789012.123"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=1,", "a=1,,b=2", "A=1", "a=\"unterminated", "a=\"bad\\escape\"", "a=:not base64!:",
        "a=1234567890123456", "a=1.2345", "a=?2", "a=(1 2", "a=(1,2)", "a=1 b=2", "a=\"\u00e9\""})
    void rejects(String field) {
        assertThatThrownBy(() -> StructuredFields.parseDictionary(field)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void serialisesInnerListWithParametersInOrder() {
        InnerList il = new InnerList(List.of(new Member("sec-ch-geohash", Map.of())));
        java.util.LinkedHashMap<String, Object> params = new java.util.LinkedHashMap<>();
        params.put("created", 1790000000L);
        params.put("keyid", "k\"1");
        params.put("alg", new Token("ed25519"));
        params.put("flag", true);
        assertThat(StructuredFields.serializeInnerList(il, params))
                .isEqualTo("(\"sec-ch-geohash\");created=1790000000;keyid=\"k\\\"1\";alg=ed25519;flag");
    }

    @Test
    void roundTripsWhatItSerialises() {
        String field = "geo=(\"sec-ch-geohash\");created=1;expires=2;nonce=\"n\";keyid=\"k\";alg=\"ed25519\"";
        Member m = StructuredFields.parseDictionary(field).get("geo");
        assertThat("geo=" + StructuredFields.serializeInnerList((InnerList) m.value(), m.params())).isEqualTo(field);
    }
}
