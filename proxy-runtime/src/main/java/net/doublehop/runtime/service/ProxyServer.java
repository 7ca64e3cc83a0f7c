package net.doublehop.runtime.service;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.listen.h3.Http3Listener;
import net.doublehop.runtime.transport.QuicTls;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.relay.TunnelRegistry;
import net.doublehop.runtime.service.AdminServer;
import net.doublehop.runtime.listen.Listener;
import net.doublehop.runtime.listen.ListenerOptions;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.listen.tcp.TcpListener;
import net.doublehop.runtime.listen.tcp.TcpListenerConfig;

/**
 * The start-up and shutdown both proxies share. Each proxy builds its request flow from its own configuration and
 * hands it here with what else it runs; this class owns the rest:
 * <ol>
 *   <li>start: the TLS certificate made at start when none is configured (with its warning), the TCP listener
 *       verticles (HTTP/1.1 and HTTP/2), the HTTP/3 listener when asked, the side services, the admin listener,
 *       then readiness;</li>
 *   <li>stop, once, whoever asks first (SIGTERM, a test): not ready, side services and listeners stop accepting and
 *       drain for the grace period, the tunnels left are closed, then the admin listener and the proxy's own
 *       resources (its next-hop pools, its resolver) in the order given.</li>
 * </ol>
 */
public final class ProxyServer {

    /**
     * A proxy's parts to run: its flow, the tunnels it registers (closed at stop), its metrics, the documents its
     * admin listener publishes, its side services, and what to close last.
     */
    public record Parts(Handler<ProxyExchange> flow, TunnelRegistry tunnels, ProxyMetrics metrics,
            Map<String, AdminServer.Document> adminDocuments, List<SideService> sideServices,
            List<Supplier<Future<Void>>> closeLast) {

        public Parts {
            adminDocuments = Map.copyOf(adminDocuments);
            sideServices = List.copyOf(sideServices);
            closeLast = List.copyOf(closeLast);
        }
    }

    private final Vertx vertx;
    private final ServiceSettings settings;
    private final Parts parts;
    private final Logger log;
    private final AtomicBoolean ready = new AtomicBoolean();
    private final List<Listener> listeners = new ArrayList<>();
    private final List<SideService> started = new ArrayList<>();
    private SelfSignedCertificate selfSigned;
    private AdminServer admin;
    private int port;
    private int adminPort = -1;
    private Future<Void> stopping;
    /** The content of the TLS files the TCP listener uses now (what a reload compares). */
    private volatile String tlsDigest;

    private ProxyServer(Vertx vertx, ServiceSettings settings, Parts parts) {
        this.vertx = vertx;
        this.settings = settings;
        this.parts = parts;
        this.log = System.getLogger(settings.name());
        this.tlsDigest = TlsFiles.digest(settings.tls());
    }

    /** Starts everything; a failure leaves nothing listening that was started (the caller closes Vert.x). */
    public static Future<ProxyServer> start(Vertx vertx, ServiceSettings settings, Parts parts) {
        ProxyServer server = new ProxyServer(vertx, settings, parts);
        return server.startAll().map(server);
    }

    private Future<Void> startAll() {
        KeyCertOptions keyCert = certificateAndWarnings();
        HostPort listen = settings.listen();
        int count = listen.port() == 0 ? 1 : settings.listenerInstances();
        Optional<String> altSvc = settings.http3() ? Optional.of(ListenerOptions.altSvc(listen.port())) : Optional.empty();
        TcpListenerConfig tcp = new TcpListenerConfig(listen.host(), listen.port(), settings.tls(), keyCert,
                settings.limits(), settings.proxyName(), altSvc, count > 1);
        return deployTcp(tcp).compose(first -> {
            port = first.actualPort();
            List<Future<?>> rest = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                rest.add(deployTcp(tcp));
            }
            if (settings.http3()) {
                Http3Listener h3 = new Http3Listener(listen.host(), listen.port(),
                        QuicTls.server(vertx, settings.tls(), keyCert), settings.limits(), parts.flow(), parts.metrics());
                listeners.add(h3);
                rest.add(vertx.deployVerticle(h3, eventLoop()));
            }
            return Future.all(rest);
        }).compose(v -> startSideServices(keyCert, 0))
                .compose(v -> startAdmin())
                .onSuccess(v -> ready.set(true));
    }

    /** The certificate made at start when {@code tls} names none, and the warnings an operator must see. */
    private KeyCertOptions certificateAndWarnings() {
        NettyLogRedaction.install(settings.logSensitive()); // before the listeners make Netty's handlers log
        KeyCertOptions keyCert = null;
        if (settings.tls().mode() == TlsSettings.Mode.SELF_SIGNED) {
            selfSigned = SelfSignedCertificate.create("localhost");
            keyCert = selfSigned.keyCertOptions();
            log.log(Level.WARNING, "tls: no certificate configured; using a self-signed certificate made at start. "
                    + "Clients must skip verification (curl --proxy-insecure). Configure tls.certificate for production.");
        }
        if (!settings.tls().enabled()) {
            log.log(Level.WARNING, "tls: none; the proxy listener is cleartext. Only run it behind a TLS terminator.");
        }
        if (settings.logSensitive()) {
            log.log(Level.WARNING, "logging.log-sensitive-data is ON: logs will contain client addresses and "
                    + "destinations. Turn it off outside debugging.");
        }
        return keyCert;
    }

    /**
     * A reload's new TLS material for the proxy listener: {@code next} names the same kind of TLS as at start (the
     * proxy checks that), its files are read and checked now (blocking), and {@link TlsReload#swap} makes every TCP
     * listener instance use them for connections accepted from then on; open connections keep theirs. Throws a
     * {@link net.doublehop.runtime.config.ConfigException} naming the keys and files when they cannot be used.
     */
    public TlsReload prepareTls(TlsSettings next) {
        if (next.mode() != TlsSettings.Mode.FILES || settings.tls().mode() != TlsSettings.Mode.FILES) {
            return new TlsReload(() -> { }, false);
        }
        String digest = TlsFiles.digest(next);
        if (digest.equals(tlsDigest)) {
            return new TlsReload(() -> { }, false);
        }
        io.netty.handler.ssl.SslContext context;
        try {
            TlsFiles.checkKeyMatchesCertificate(vertx, next);
            context = TcpListener.tlsContext(vertx, next, null);
        } catch (Exception e) {
            throw new net.doublehop.runtime.config.ConfigException("tls.certificate / tls.private-key / tls.client-ca ("
                    + TlsFiles.names(next) + "): cannot be used: " + e.getMessage(), e);
        }
        return new TlsReload(() -> {
            for (Listener l : listeners) {
                if (l instanceof TcpListener t) {
                    t.replaceTls(context);
                }
            }
            tlsDigest = digest;
        }, true);
    }

    /**
     * @param swap makes the new TLS material live for the TCP listener's new connections
     * @param changed true when the files differ from the running ones: the HTTP/3 listener and the side services
     *     (issuer, gateway, relay) keep the certificate they started with until a restart
     */
    public record TlsReload(Runnable swap, boolean changed) { }

    private Future<TcpListener> deployTcp(TcpListenerConfig tcp) {
        TcpListener verticle = new TcpListener(tcp, parts.flow(), parts.metrics());
        listeners.add(verticle);
        return vertx.deployVerticle(verticle, eventLoop()).map(id -> verticle);
    }

    private Future<Void> startSideServices(KeyCertOptions keyCert, int index) {
        if (index == parts.sideServices().size()) {
            return Future.succeededFuture();
        }
        SideService s = parts.sideServices().get(index);
        return s.start(vertx, keyCert).compose(v -> {
            started.add(s);
            return startSideServices(keyCert, index + 1);
        });
    }

    private Future<Void> startAdmin() {
        if (settings.admin().isEmpty()) {
            return Future.succeededFuture();
        }
        admin = new AdminServer(vertx, parts.metrics()::scrape, ready::get, parts.adminDocuments());
        return admin.listen(settings.admin().get()).map(p -> {
            adminPort = p;
            return null;
        });
    }

    private static DeploymentOptions eventLoop() {
        return new DeploymentOptions().setThreadingModel(ThreadingModel.EVENT_LOOP);
    }

    /** The proxy listener's port (useful when the config asked for port 0). */
    public int port() {
        return port;
    }

    /** The admin port, or -1 when no admin listener is configured. */
    public int adminPort() {
        return adminPort;
    }

    /** True from the end of start until stop begins: what {@code /health/ready} answers. */
    public boolean ready() {
        return ready.get();
    }

    /**
     * Graceful stop, idempotent (SIGTERM and a test's close may both ask): not ready, stop accepting, let tunnels
     * finish until {@code grace} runs out, then close what is left.
     */
    public synchronized Future<Void> stop(Duration grace) {
        if (stopping != null) {
            return stopping;
        }
        ready.set(false);
        List<Future<Void>> shutdowns = new ArrayList<>();
        for (SideService s : started) {
            shutdowns.add(s.stop(grace));
        }
        for (Listener l : listeners) {
            shutdowns.add(l.shutdown(grace));
        }
        stopping = Future.join(shutdowns).<Void>mapEmpty().eventually(() -> {
            parts.tunnels().closeAll();
            if (selfSigned != null) {
                selfSigned.delete();
            }
            Future<Void> closed = admin == null ? Future.succeededFuture() : admin.close();
            for (Supplier<Future<Void>> last : parts.closeLast()) {
                closed = closed.eventually(last);
            }
            return closed;
        });
        return stopping;
    }
}
