package net.doublehop.protocol.sf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A List or Dictionary member, or an Inner List item: a value with its parameters. The value is a
 * bare item ({@link Long}, {@link java.math.BigDecimal}, {@link String}, {@link Token},
 * {@link ByteSequence}, {@link Boolean}) or, for top-level members only, an {@link InnerList}.
 * Parameters keep their order, which matters when a signature covers their serialisation.
 */
public record Member(Object value, Map<String, Object> params) {

    public Member {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public Object param(String key) {
        return params.get(key);
    }
}
