package net.doublehop.protocol.sf;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Fuzz targets (Jazzer) for the RFC 8941 parser under {@code Signature-Input} and {@code Signature} (RFC 9421): a
 * malformed field may only be refused with {@link StructuredFieldException}, and what parses must serialise (with
 * the serialisers the signature base is built with) to a canonical form that parses again to the same canonical
 * form (RFC 8941 §4: serialising what was parsed is stable).
 */
class StructuredFieldsFuzzTest {

    @FuzzTest
    void dictionary(byte[] input) {
        Map<String, Member> parsed;
        try {
            parsed = StructuredFields.parseDictionary(new String(input, StandardCharsets.ISO_8859_1));
        } catch (StructuredFieldException e) {
            return;
        }
        String canonical = dictionary(parsed);
        assertThat(dictionary(StructuredFields.parseDictionary(canonical))).isEqualTo(canonical);
    }

    @FuzzTest
    void list(byte[] input) {
        List<Member> parsed;
        try {
            parsed = StructuredFields.parseList(new String(input, StandardCharsets.ISO_8859_1));
        } catch (StructuredFieldException e) {
            return;
        }
        String canonical = list(parsed);
        assertThat(list(StructuredFields.parseList(canonical))).isEqualTo(canonical);
    }

    /** RFC 8941 §4.1.2. */
    static String dictionary(Map<String, Member> d) {
        return d.entrySet().stream().map(e -> {
            Member m = e.getValue();
            if (Boolean.TRUE.equals(m.value())) {
                return e.getKey() + StructuredFields.serializeParameters(m.params());
            }
            return e.getKey() + "=" + member(m);
        }).collect(Collectors.joining(", "));
    }

    /** RFC 8941 §4.1.1. */
    static String list(List<Member> l) {
        return l.stream().map(StructuredFieldsFuzzTest::member).collect(Collectors.joining(", "));
    }

    private static String member(Member m) {
        if (m.value() instanceof InnerList inner) {
            return StructuredFields.serializeInnerList(inner, m.params());
        }
        return StructuredFields.serializeBareItem(m.value()) + StructuredFields.serializeParameters(m.params());
    }
}
