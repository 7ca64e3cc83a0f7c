package net.doublehop.proxya.gateway;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import net.doublehop.protocol.ohttp.GatewayKey;
import net.doublehop.runtime.config.ConfigException;

/** Loads the gateway's live keys from their PEM files, or makes one for this run with a warning. */
public final class GatewayKeys {

    private static final Logger LOG = System.getLogger("proxy-a.gateway");

    private GatewayKeys() {
    }

    public static List<GatewayKey> load(GatewayConfig config, SecureRandom random) {
        if (config.keys().isEmpty()) {
            GatewayKey key = GatewayKey.generate(0, GatewayKey.DEFAULT_ALGORITHMS, random);
            LOG.log(Level.WARNING, "gateway.keys not set: generated an X25519 key (key-id 0) for this run only; "
                    + "clients must fetch the key configuration again after every restart. Development only.");
            return List.of(key);
        }
        List<GatewayKey> keys = new ArrayList<>();
        for (GatewayConfig.KeyFile f : config.keys()) {
            String pem;
            try {
                pem = Files.readString(f.file(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new ConfigException("gateway.keys: cannot read " + f.file() + ": " + e.getMessage(), e);
            }
            try {
                keys.add(GatewayKey.fromPem(f.keyId(), pem, GatewayKey.DEFAULT_ALGORITHMS));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("gateway.keys: " + f.file() + ": " + e.getMessage(), e);
            }
        }
        return keys;
    }
}
