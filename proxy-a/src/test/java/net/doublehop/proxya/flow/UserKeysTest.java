package net.doublehop.proxya.flow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UserKeysTest {

    @Test
    void aPrivacyPassUserShowsNeitherItsNonceNorAName() {
        String key = "token:0a1b2c3d4e5f";
        assertThat(UserKeys.loggable(key)).isEqualTo("privacy-pass").doesNotContain("0a1b2c3d4e5f");
        assertThat(UserKeys.name(key)).isNull();
        assertThat(UserKeys.scheme(key)).isEqualTo("privacy-pass");
    }

    @Test
    void otherUsersShowTheirKeyAndName() {
        assertThat(UserKeys.loggable("user:alice")).isEqualTo("user:alice");
        assertThat(UserKeys.name("user:alice")).isEqualTo("alice");
        assertThat(UserKeys.scheme("user:alice")).isEqualTo("basic");
        assertThat(UserKeys.scheme("cert:a.example")).isEqualTo("mtls");
        assertThat(UserKeys.loggable(null)).isNull();
    }
}
