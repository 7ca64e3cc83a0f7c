package net.doublehop.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The tests' stand-in for HAProxy in mode tcp: terminates TLS on a loopback port and pipes the plain bytes to a
 * destination port ({@code loadgen --direct-tls} targets it).
 */
final class TlsTerminator {

    private TlsTerminator() {
    }

    /** Listening on an ephemeral 127.0.0.1 port with {@code certificate}/{@code key}, relaying to {@code targetPort}. */
    static NetServer start(Vertx vertx, Path certificate, Path key, int targetPort) throws Exception {
        NetClient client = vertx.createNetClient();
        NetServer relay = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certificate.toString())
                                .setKeyPath(key.toString())))
                .connectHandler(down -> {
                    down.pause();
                    client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
                        if (ar.failed()) {
                            down.close();
                            return;
                        }
                        NetSocket up = ar.result();
                        down.pipeTo(up);
                        up.pipeTo(down);
                        down.resume();
                    });
                });
        relay.listen().await(10, TimeUnit.SECONDS);
        return relay;
    }
}
