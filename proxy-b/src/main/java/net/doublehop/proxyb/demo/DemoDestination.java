package net.doublehop.proxyb.demo;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.config.HostPort;

/**
 * A demo destination for the quick start: answers every HTTP request, and every UDP datagram on the same port
 * number (for CONNECT-UDP), with the source address it saw, which is the egress address Proxy B chose. {@code java -cp proxy-b.jar
 * net.doublehop.proxyb.demo.DemoDestination 127.0.0.1:8080}
 */
public final class DemoDestination {

    private DemoDestination() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || args[0].startsWith("-")) {
            System.err.println("usage: DemoDestination HOST:PORT   (answers with the client address it sees)");
            System.exit(args.length == 1 && args[0].equals("--help") ? 0 : 2);
        }
        HostPort at = HostPort.parse(args[0]);
        Vertx vertx = Vertx.vertx();
        int port = vertx.createHttpServer()
                .requestHandler(req -> {
                    // a demo's log: who reached it and which fields came along (never done by the proxies)
                    System.out.println("demo destination: " + req.method() + " " + req.path() + " from "
                            + req.remoteAddress().hostAddress() + "; fields: "
                            + String.join(", ", req.headers().names()).toLowerCase(java.util.Locale.ROOT));
                    req.response().putHeader("content-type", "text/plain")
                            .end("Hello from the demo destination. You reached me from "
                                    + req.remoteAddress().hostAddress() + "\n");
                })
                .listen(at.port(), at.host()).await(10, TimeUnit.SECONDS).actualPort();
        io.vertx.core.datagram.DatagramSocket udp = vertx.createDatagramSocket();
        udp.handler(packet -> udp.send(io.vertx.core.buffer.Buffer.buffer("Hello from the demo destination over UDP. "
                + "You reached me from " + packet.sender().hostAddress() + "\n"), packet.sender().port(),
                packet.sender().hostAddress()));
        udp.listen(port, at.host()).await(10, TimeUnit.SECONDS);
        System.out.println("demo destination listening on " + at.host() + ":" + port + " (TCP: HTTP, and UDP)");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                vertx.close().await(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // exiting anyway
            }
        }));
    }
}
