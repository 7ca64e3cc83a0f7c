package net.doublehop.protocol.privacypass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** base64url as RFC 9577 wants it: padded on the way out and on the way in. */
class Base64UrlTest {

    @ParameterizedTest
    @CsvSource({"'', ''", "f8, -A==", "fbff, -_8=", "fbffbf, -_-_", "00, AA=="})
    void paddedRoundTrip(String hex, String text) {
        byte[] bytes = java.util.HexFormat.of().parseHex(hex);
        assertThat(Base64Url.encode(bytes)).isEqualTo(text);
        assertThat(Base64Url.decode(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource({"-A, UNPADDED_BASE64URL", "-_8, UNPADDED_BASE64URL", "-A=, INVALID_BASE64URL",
            "+/8=, INVALID_BASE64URL", "-A==-A==, INVALID_BASE64URL", "A===, INVALID_BASE64URL",
            "AB==, INVALID_BASE64URL", "AAB=, INVALID_BASE64URL", "AAAAA, INVALID_BASE64URL",
            "'AA AA', INVALID_BASE64URL", "AA%3D, INVALID_BASE64URL", "ÀA==, INVALID_BASE64URL"})
    void refused(String text, Reason reason) {
        assertThatThrownBy(() -> Base64Url.decode(text)).isInstanceOfSatisfying(MalformedException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
