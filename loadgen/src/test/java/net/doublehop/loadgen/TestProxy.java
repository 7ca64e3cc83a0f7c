package net.doublehop.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny CONNECT proxy written with Vert.x as the real proxies are: accepts CONNECT (HTTP/1.1, or HTTP/2 over
 * TLS with ALPN), checks Proxy-Authorization if asked to, dials the target, answers 200 with
 * {@code req.toNetSocket()} and pipes both ways.
 */
final class TestProxy implements AutoCloseable {

    final Vertx vertx = Vertx.vertx();
    private final NetClient client = vertx.createNetClient();
    private final HttpServer server;
    private final String requiredAuth;
    /** Protocol version and the x-loadgen-test header of every CONNECT seen. */
    final List<String> seen = new CopyOnWriteArrayList<>();
    /** Connections accepted. */
    final AtomicInteger connections = new AtomicInteger();

    private TestProxy(HttpServerOptions options, String requiredAuth) throws Exception {
        this.requiredAuth = requiredAuth;
        server = vertx.createHttpServer(options.setHost("127.0.0.1").setPort(0)).requestHandler(this::handle)
                .connectionHandler(c -> connections.incrementAndGet());
        server.listen().await(10, TimeUnit.SECONDS);
    }

    /** Plain HTTP/1.1 (http://). */
    static TestProxy plain(String requiredAuth) throws Exception {
        return new TestProxy(new HttpServerOptions(), requiredAuth);
    }

    /** TLS with ALPN h2 and http/1.1, requiring a client certificate issued by ca. */
    static TestProxy tls(Path cert, Path key, Path ca) throws Exception {
        return new TestProxy(new HttpServerOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()))
                .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
                .setClientAuth(ClientAuth.REQUIRED), null);
    }

    int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest req) {
        if (req.method() != HttpMethod.CONNECT) {
            req.response().setStatusCode(405).end();
            return;
        }
        seen.add(req.version() + " " + req.getHeader("x-loadgen-test"));
        if (requiredAuth != null && !requiredAuth.equals(req.getHeader("proxy-authorization"))) {
            req.response().setStatusCode(407).putHeader("proxy-authenticate", "Basic").end();
            return;
        }
        HostAndPort target = req.authority();
        client.connect(target.port(), target.host()).onComplete(ar -> {
            if (ar.failed()) {
                req.response().setStatusCode(502).end();
                return;
            }
            NetSocket upstream = ar.result();
            req.toNetSocket().onComplete(s -> {
                if (s.failed()) {
                    upstream.close();
                    return;
                }
                NetSocket downstream = s.result();
                downstream.pipeTo(upstream);
                upstream.pipeTo(downstream);
            });
        });
    }

    @Override
    public void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }
}
