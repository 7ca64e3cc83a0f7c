package net.doublehop.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.privacypass.RsaPem;
import net.doublehop.proxya.DoubleHopFixture;
import net.doublehop.proxya.issuer.IssuerKeys;
import org.junit.jupiter.api.Test;

/**
 * The client with Privacy Pass tokens from A's issuer instead of a password at A: A admits only tokens (its user
 * file serves the issuer's attester), and each tunnel spends a fresh one.
 */
class PrivacyPassClientTest {

    @Test
    void eachTunnelSpendsATokenFetchedOnDemand() throws Exception {
        Path keys = Files.createTempDirectory("issuer-keys");
        RSAPrivateCrtKey issuerKey = IssuerKeys.generatePrivateKey(new SecureRandom());
        Path priv = keys.resolve("issuer.pem");
        Path pub = keys.resolve("issuer.pub.pem");
        Files.writeString(priv, RsaPem.toPem("PRIVATE KEY", issuerKey.getEncoded()));
        Files.writeString(pub, IssuerPublicKey.of(RsaPem.publicKeyOf(issuerKey)).toPem());
        String redeem = "privacy-pass: {issuer-keys: [\"%s\"], issuer-name: issuer.test}".formatted(pub);
        String issuer = "issuer: {listen: \"127.0.0.1:0\", name: issuer.test, keys: [\"%s\"]}\n".formatted(priv);
        try (DoubleHopFixture fx = new DoubleHopFixture(issuer, "{file: users.txt, " + redeem + "}", "", 0, 0)) {
            LocalClient client = LocalClient.start(fx.vertx, ClientOptions.parse(new String[] {
                "--proxy-a", "https://127.0.0.1:" + fx.a.port(), "--insecure",
                "--privacy-pass-issuer", "https://127.0.0.1:" + fx.a.issuerPort(), "--issuer-name", "issuer.test",
                "--user", DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD,
                "--socks", "127.0.0.1:0", "--http", "none"})).await(30, TimeUnit.SECONDS);
            try {
                // more tunnels than one batch of tokens: the cache refills; a token spent twice would get 403
                for (int i = 0; i < PrivacyPassTokens.BATCH + 2; i++) {
                    ForwardClientTest.Result r = ForwardClientTest.curl("--socks5-hostname",
                            "127.0.0.1:" + client.socksPort(), "http://" + fx.destination() + "/");
                    assertThat(r.exit()).as(r.stderr()).isZero();
                    assertThat(r.stdout()).startsWith("seen-from=127.0.0.3 ");
                }
            } finally {
                client.stop().await(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Oblivious mode with tokens only: one token opens the tunnel at A, and every CONNECT to B spends one more. */
    @Test
    void obliviousModeShowsBATokenNotTheAccount() throws Exception {
        Path keys = Files.createTempDirectory("issuer-keys");
        RSAPrivateCrtKey issuerKey = IssuerKeys.generatePrivateKey(new SecureRandom());
        Path priv = keys.resolve("issuer.pem");
        Path pub = keys.resolve("issuer.pub.pem");
        Files.writeString(priv, RsaPem.toPem("PRIVATE KEY", issuerKey.getEncoded()));
        Files.writeString(pub, IssuerPublicKey.of(RsaPem.publicKeyOf(issuerKey)).toPem());
        String redeem = "privacy-pass: {issuer-keys: [\"%s\"], issuer-name: issuer.test}".formatted(pub);
        String issuer = "issuer: {listen: \"127.0.0.1:0\", name: issuer.test, keys: [\"%s\"]}\n".formatted(priv);
        try (DoubleHopFixture fx = new DoubleHopFixture(issuer + "mode: both\ntls: {certificate: b.crt, private-key: b.key}\n",
                "{file: users.txt, " + redeem + "}", "auth: {" + redeem + "}\n", 0, 0)) {
            LocalClient client = LocalClient.start(fx.vertx, ClientOptions.parse(new String[] {
                "--mode", "oblivious", "--proxy-a", "https://127.0.0.1:" + fx.a.port(),
                "--proxy-b", "https://127.0.0.1:" + fx.bPort, "--cacert", fx.dir.resolve("ca.crt").toString(),
                "--privacy-pass-issuer", "https://127.0.0.1:" + fx.a.issuerPort(), "--issuer-name", "issuer.test",
                "--user", DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD, "--source-address", "127.0.0.10",
                "--socks", "127.0.0.1:0", "--http", "none"})).await(30, TimeUnit.SECONDS);
            try {
                for (int i = 0; i < PrivacyPassTokens.BATCH + 2; i++) {
                    ForwardClientTest.Result r = ForwardClientTest.curl("--socks5-hostname",
                            "127.0.0.1:" + client.socksPort(), "http://" + fx.destination() + "/");
                    assertThat(r.exit()).as(r.stderr()).isZero();
                    assertThat(r.stdout()).startsWith("seen-from=127.0.0.2 ");
                }
            } finally {
                client.stop().await(10, TimeUnit.SECONDS);
            }
        }
    }
}
