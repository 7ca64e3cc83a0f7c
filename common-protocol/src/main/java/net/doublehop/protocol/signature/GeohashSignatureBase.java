package net.doublehop.protocol.signature;

import java.nio.charset.StandardCharsets;

/**
 * The RFC 9421 §2.5 signature base of our profile: the covered {@code sec-ch-geohash} field line, then the
 * {@code @signature-params} line, joined by LF with no trailing newline.
 */
final class GeohashSignatureBase {

    static final String LABEL = "geo";
    static final String TAG = "sec-ch-geohash";
    static final String COMPONENT = "sec-ch-geohash";

    private GeohashSignatureBase() {
    }

    /** @param signatureParams the serialised inner list with parameters, e.g. {@code ("sec-ch-geohash");created=…} */
    static byte[] build(String geohashFieldValue, String signatureParams) {
        // §2.1: the field value with leading and trailing whitespace removed.
        return ("\"" + COMPONENT + "\": " + geohashFieldValue.strip() + "\n\"@signature-params\": " + signatureParams)
                .getBytes(StandardCharsets.US_ASCII);
    }
}
