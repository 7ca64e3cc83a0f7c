package net.doublehop.runtime.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS for the proxy listener. {@link Mode#NONE} must be chosen explicitly ({@code tls: none});
 * {@link Mode#SELF_SIGNED} is what an empty {@code tls} section gives, with a start-up warning.
 */
public record TlsSettings(Mode mode, Optional<Path> certificate, Optional<Path> privateKey, Optional<Path> clientCa) {

    public enum Mode { NONE, SELF_SIGNED, FILES }

    public TlsSettings {
        if (mode == Mode.FILES && (certificate.isEmpty() || privateKey.isEmpty())) {
            throw new IllegalArgumentException("tls.certificate and tls.private-key go together");
        }
        if (mode == Mode.NONE && clientCa.isPresent()) {
            throw new IllegalArgumentException("tls.client-ca needs TLS");
        }
    }

    public static TlsSettings none() {
        return new TlsSettings(Mode.NONE, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The certificate, key and client CA files named (what a hot reload watches and reads again). */
    public java.util.List<Path> files() {
        java.util.List<Path> out = new java.util.ArrayList<>();
        certificate.ifPresent(out::add);
        privateKey.ifPresent(out::add);
        clientCa.ifPresent(out::add);
        return out;
    }

    public boolean enabled() {
        return mode != Mode.NONE;
    }
}
