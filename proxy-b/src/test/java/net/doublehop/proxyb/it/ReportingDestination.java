package net.doublehop.proxyb.it;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A loopback destination that answers every HTTP request with the source address it saw, so a test
 * can check which egress address Proxy B used; plus a raw TCP echo port for byte-level relay tests.
 */
final class ReportingDestination implements AutoCloseable {

    private final HttpServer http;
    private final NetServer echo;
    private final ServerSocket halfClose;
    private final Thread halfCloseAcceptor;
    final BurstDestination burst = new BurstDestination();

    ReportingDestination(Vertx vertx) throws Exception {
        http = vertx.createHttpServer()
                .requestHandler(req -> req.body().onSuccess(body -> req.response()
                        .putHeader("content-type", "text/plain")
                        .end("seen-from=" + req.remoteAddress().hostAddress() + " bytes=" + body.length() + "\n")))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        echo = vertx.createNetServer()
                .connectHandler(socket -> socket.handler(socket::write))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        // Plain JDK sockets support TCP half-close, which Vert.x/Netty servers do not: read to EOF,
        // then answer with the byte count and close. Proves the proxy forwards a half-close.
        halfClose = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        halfCloseAcceptor = new Thread(this::acceptHalfClose, "half-close-destination");
        halfCloseAcceptor.setDaemon(true);
        halfCloseAcceptor.start();
    }

    private void acceptHalfClose() {
        while (!halfClose.isClosed()) {
            try {
                Socket s = halfClose.accept();
                Thread t = new Thread(() -> {
                    try (s) {
                        long n = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                        s.getOutputStream().write(("received=" + n + "\n").getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // the test sees the missing answer
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    int halfClosePort() {
        return halfClose.getLocalPort();
    }

    int httpPort() {
        return http.actualPort();
    }

    int echoPort() {
        return echo.actualPort();
    }

    @Override
    public void close() throws Exception {
        http.close().await(10, TimeUnit.SECONDS);
        echo.close().await(10, TimeUnit.SECONDS);
        halfClose.close();
        burst.close();
    }
}
