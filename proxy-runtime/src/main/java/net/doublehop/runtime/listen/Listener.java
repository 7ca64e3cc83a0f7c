package net.doublehop.runtime.listen;

import io.vertx.core.Future;
import java.time.Duration;

/** A proxy listener the proxy can stop gracefully: the TCP one (Vert.x) and the HTTP/3 one (Netty). */
public interface Listener {

    /** Stops accepting, sends GOAWAY, and waits up to {@code grace} for open streams to finish. */
    Future<Void> shutdown(Duration grace);
}
