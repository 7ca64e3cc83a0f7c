package net.doublehop.client;

import io.vertx.core.Future;

/** The {@code Proxy-Authorization} value for the next request to A: a fixed credential, or a fresh token. */
interface Authorization {

    Future<String> next();

    static Authorization fixed(String value) {
        Future<String> v = Future.succeededFuture(value);
        return () -> v;
    }
}
