package net.doublehop.proxyb.config;

import java.util.List;
import java.util.Optional;
import net.doublehop.runtime.config.PrivacyPassConfig;

/**
 * How callers authenticate. Keys are secrets: never log them. An empty configuration
 * (no keys, no client CA) is refused at load unless {@code allow-unauthenticated: true}.
 */
public record AuthSettings(List<String> presharedKeys, boolean allowUnauthenticated,
        Optional<PrivacyPassConfig> privacyPass) {

    public AuthSettings {
        presharedKeys = List.copyOf(presharedKeys);
    }

    @Override
    public String toString() {
        return "AuthSettings[presharedKeys=" + presharedKeys.size() + " keys, allowUnauthenticated="
                + allowUnauthenticated + ", privacyPass=" + privacyPass.isPresent() + "]";
    }
}
