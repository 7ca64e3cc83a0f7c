package net.doublehop.proxya;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.pki.DevPki;
import net.doublehop.protocol.signature.Ed25519Keys;
import net.doublehop.protocol.signature.Jwks;
import net.doublehop.proxya.config.ProxyAConfigLoader;
import net.doublehop.proxyb.ProxyB;
import net.doublehop.proxyb.config.ConfigLoader;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * The whole forward double hop on loopback: a reporting destination, a real Proxy B (TLS, mTLS from A,
 * signatures required, Tokyo/London pools) and a real Proxy A in front of it. Users: alice/wonderland.
 * Public for the client module's end-to-end tests.
 */
public final class DoubleHopFixture implements AutoCloseable {

    public static final String USER = "alice";
    public static final String PASSWORD = "wonderland";

    public final Vertx vertx = Vertx.vertx();
    /** Exceptions no handler took: every one is a bug, so close() fails on them. */
    final java.util.List<Throwable> unhandled = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final Path dir;
    final HttpServer destination;
    final KeyPair signingKey = Ed25519Keys.generate();
    public final DevPki pki = DevPki.create("test double hop CA");
    public ProxyB b;
    public ProxyA a;
    public int bPort;

    private final String extraBYaml;

    public DoubleHopFixture() throws Exception {
        this("");
    }

    /** A proxy doing its job logs nothing SEVERE; close() fails otherwise. */
    private final net.doublehop.proxyb.it.SevereLogGuard severe = new net.doublehop.proxyb.it.SevereLogGuard();

    public DoubleHopFixture(String extraAYaml) throws Exception {
        this(extraAYaml, "{file: users.txt}");
    }

    /** @param usersYaml the value of A's {@code users:} key */
    public DoubleHopFixture(String extraAYaml, String usersYaml) throws Exception {
        this(extraAYaml, usersYaml, "", 0, 0);
    }

    /**
     * @param extraBYaml top-level keys added to B's config (e.g. {@code http3: true})
     * @param aPort A's listen port (0: ephemeral; HTTP/3 needs a fixed one)
     * @param bListenPort B's listen port (likewise)
     */
    public DoubleHopFixture(String extraAYaml, String usersYaml, String extraBYaml, int aPort, int bListenPort)
            throws Exception {
        this.extraBYaml = extraBYaml;
        vertx.exceptionHandler(unhandled::add);
        dir = Files.createTempDirectory("double-hop");
        destination = vertx.createHttpServer()
                .requestHandler(req -> req.response().end("seen-from=" + req.remoteAddress().hostAddress() + " "))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        DevPki.PemFiles bTls = pki.server("proxy-b", List.of("localhost"), List.of("127.0.0.1")).writeTo(dir, "b");
        DevPki.PemFiles aClient = pki.client("proxy-a").writeTo(dir, "a-client");
        Files.writeString(dir.resolve("ca.crt"), pki.ca().certificatePem());
        Files.writeString(dir.resolve("a-keys.jwks"), Jwks.toJson(Map.of("proxy-a-1", signingKey.getPublic())));
        Files.writeString(dir.resolve("a-signing.pem"), Ed25519Keys.toPem(signingKey.getPrivate()));
        Files.writeString(dir.resolve("users.txt"), USER + ":"
                + OpenBSDBCrypt.generate(PASSWORD.toCharArray(), new byte[16], 6) + "\n");
        startB(bListenPort);
        Files.writeString(aConfigFile(), """
                listen: 127.0.0.1:%d
                admin: 127.0.0.1:0
                users: %s
                signing: {private-key: a-signing.pem, key-id: proxy-a-1, validity: 60s}
                geolocation: {precision: 5}
                upstream:
                  url: https://127.0.0.1:%d
                  client-certificate: a-client.crt
                  client-key: a-client.key
                  trust: ca.crt
                %s%s""".formatted(aPort, usersYaml, bPort, upstreamConnectTimeout(extraAYaml), extraAYaml));
        a = ProxyA.start(vertx, ProxyAConfigLoader.load(aConfigFile())).await(30, TimeUnit.SECONDS);
    }

    /**
     * A's {@code upstream.connect-timeout}, which also bounds the wait for B's answer: 2 s, so that the cases with B
     * down or black-holed end quickly, unless the test's extra YAML sets its own (a burst of streams on a loaded
     * machine can keep B's answers longer than that, and such a test is not about the timeout).
     */
    private static String upstreamConnectTimeout(String extraAYaml) {
        return java.util.regex.Pattern.compile("(?m)^  connect-timeout:").matcher(extraAYaml).find()
                ? "" : "  connect-timeout: 2s\n";
    }

    void startB(int port) throws Exception {
        Files.writeString(bConfigFile(), """
                listen: 127.0.0.1:%d
                admin: 127.0.0.1:0
                tls: {certificate: b.crt, private-key: b.key, client-ca: ca.crt}
                geohash: {trusted-signers: a-keys.jwks, require-signature: true}
                egress:
                  pools:
                    - {name: tokyo, country: JP, geohash: xn76, addresses: [127.0.0.2]}
                    - {name: london, country: GB, geohash: gcpv, addresses: [127.0.0.3]}
                  default-pool: london
                destinations:
                  allow: [127.0.0.1/32]
                limits: {connect-timeout: 1s}
                %s""".formatted(port, extraBYaml));
        b = ProxyB.start(vertx, ConfigLoader.load(bConfigFile()), 1).await(30, TimeUnit.SECONDS);
        bPort = b.port();
    }

    /** A's config file (files it names are beside it, in {@link #dir}): what a reload reads again. */
    public Path aConfigFile() {
        return dir.resolve("proxy-a.yaml");
    }

    /** B's config file, likewise. */
    public Path bConfigFile() {
        return dir.resolve("proxy-b.yaml");
    }

    void stopB() throws Exception {
        b.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
    }

    /** The value of one unlabelled-by-us gauge or counter line from a proxy's Prometheus scrape, e.g. {@code privacy_proxy_tunnels_active}. */
    static double metric(int adminPort, String name) throws Exception {
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no metric " + name + " in " + body);
    }

    public String destination() {
        return "127.0.0.1:" + destination.actualPort();
    }

    @Override
    public void close() throws Exception {
        try {
            a.stop(Duration.ofMillis(200)).await(10, TimeUnit.SECONDS);
            b.stop(Duration.ofMillis(200)).await(10, TimeUnit.SECONDS);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        severe.close();
        if (!unhandled.isEmpty()) {
            AssertionError e = new AssertionError("unhandled exceptions in the proxies: " + unhandled);
            unhandled.forEach(e::addSuppressed);
            throw e;
        }
    }
}
