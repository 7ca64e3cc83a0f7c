package net.doublehop.proxya;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import net.doublehop.protocol.pki.DevPki;
import net.doublehop.protocol.privacypass.RsaPem;
import net.doublehop.protocol.signature.Ed25519Keys;
import net.doublehop.protocol.signature.Jwks;
import net.doublehop.proxya.issuer.IssuerKeys;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Writes a complete development setup for the double hop into a directory: a throwaway CA, TLS certificates
 * for both proxies, A's client certificate for mTLS to B, A's Ed25519 signing key and the JWKS B trusts, A's
 * Privacy Pass issuer key, a user file (alice / wonderland) and both YAML configs. Used by scripts/run.sh; nothing here is for production.
 */
public final class DevSetup {

    private DevSetup() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: DevSetup DIR [IP...]   (writes dev certificates, keys and configs for both "
                    + "proxies; the certificates also name each IP given, e.g. for scripts/topology.sh)");
            System.exit(args.length == 1 && args[0].equals("--help") ? 0 : 2);
        }
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        DevPki pki = DevPki.create("doublehop dev CA");
        write(dir.resolve("ca.crt"), pki.ca().certificatePem());
        List<String> names = List.of("localhost");
        List<String> ips = new java.util.ArrayList<>(List.of("127.0.0.1", "::1"));
        ips.addAll(List.of(args).subList(1, args.length));
        pki.server("proxy-b", names, ips).writeTo(dir, "b");
        pki.server("proxy-a", names, ips).writeTo(dir, "a");
        pki.client("proxy-a").writeTo(dir, "a-client");
        KeyPair signing = Ed25519Keys.generate();
        write(dir.resolve("a-signing.pem"), Ed25519Keys.toPem(signing.getPrivate()));
        write(dir.resolve("a-keys.jwks"), Jwks.toJson(Map.of("proxy-a-dev", signing.getPublic())));
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        java.security.interfaces.RSAPrivateCrtKey issuerKey = IssuerKeys.generatePrivateKey(new SecureRandom());
        write(dir.resolve("issuer-1.pem"), RsaPem.toPem("PRIVATE KEY", issuerKey.getEncoded()));
        // What redeemers trust: the issuer's public key (B's auth.privacy-pass, A's users.privacy-pass).
        write(dir.resolve("issuer-1.pub.pem"), net.doublehop.protocol.privacypass.IssuerPublicKey.of(
                RsaPem.publicKeyOf(issuerKey)).toPem());
        // The Oblivious HTTP gateway's X25519 key (key-id 1 in A's gateway section)
        write(dir.resolve("gateway-1.pem"), net.doublehop.protocol.ohttp.GatewayKey.generate(1,
                net.doublehop.protocol.ohttp.GatewayKey.DEFAULT_ALGORITHMS, new SecureRandom()).toPem());
        write(dir.resolve("users.txt"), "alice:" + OpenBSDBCrypt.generate("wonderland".toCharArray(), salt, 10) + "\n");
        write(dir.resolve("proxy-b.yaml"), """
                # Development Proxy B behind Proxy A: mTLS from A, signed geohashes required.
                listen: 127.0.0.1:8443
                admin: 127.0.0.1:9090
                # HTTP/3 (QUIC) on UDP 8443 too: client.jar --mode oblivious --b-transport quic reaches B over it
                http3: true
                tls: {certificate: b.crt, private-key: b.key, client-ca: ca.crt}
                geohash: {trusted-signers: a-keys.jwks, require-signature: true}
                # Privacy Pass tokens of A's issuer open tunnels too (single hop, straight to B).
                auth:
                  privacy-pass: {issuer-keys: [issuer-1.pub.pem], issuer-name: issuer.example}
                egress:
                  pools:
                    - {name: tokyo, country: JP, geohash: xn76, region: JP-13, city: Tokyo, addresses: [127.0.0.2]}
                    - {name: london, country: GB, geohash: gcpv, region: GB-LND, city: London, addresses: [127.0.0.3, "::1"]}
                  default-pool: london
                destinations:
                  allow: [127.0.0.1/32]
                # Oblivious HTTP relay: sees the client's address, not its request (encrypted for A's gateway).
                ohttp-relay:
                  listen: 127.0.0.1:8444
                  tls: {certificate: b.crt, private-key: b.key}
                  routes: [{path: /relay/demo, gateway: "https://127.0.0.1:7445/gateway"}]
                  gateway-trust: ca.crt
                """);
        write(dir.resolve("proxy-a.yaml"), """
                # Development Proxy A: users from users.txt (alice / wonderland), the embedded demo location table.
                # mode both: CONNECTs to B's own address are oblivious tunnels (client.jar --mode oblivious).
                mode: both
                listen: 127.0.0.1:7443
                admin: 127.0.0.1:9091
                tls: {certificate: a.crt, private-key: a.key}
                users:
                  file: users.txt
                  # a Privacy Pass token instead of a password (one tunnel per token)
                  privacy-pass: {issuer-keys: [issuer-1.pub.pem], issuer-name: issuer.example}
                geolocation: {precision: 5}
                signing: {private-key: a-signing.pem, key-id: proxy-a-dev, validity: 300s}
                upstream:
                  url: https://127.0.0.1:8443
                  client-certificate: a-client.crt
                  client-key: a-client.key
                  trust: ca.crt
                # Privacy Pass issuer for the same users (java -jar proxy-a.jar tokens --help).
                issuer:
                  listen: 127.0.0.1:7444
                  name: issuer.example
                  keys: [issuer-1.pem]
                # Oblivious HTTP gateway: decrypts what B's relay passes on; reaches the demo destination from
                # 127.0.0.4, so the destination never sees the client's address.
                gateway:
                  listen: 127.0.0.1:7445
                  tls: {certificate: a.crt, private-key: a.key}
                  keys: [{file: gateway-1.pem, key-id: 1}]
                  allowed-targets: [http://127.0.0.1:8080]
                  egress-address: 127.0.0.4
                """);
        System.out.println("dev setup written to " + dir);
    }

    private static void write(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }
}
