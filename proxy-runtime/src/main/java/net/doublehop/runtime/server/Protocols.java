package net.doublehop.runtime.server;

import io.vertx.core.http.HttpVersion;

/** The {@code protocol} label of metrics and logs: one of {@code h1}, {@code h2}, {@code h3}. */
public final class Protocols {

    private Protocols() {
    }

    public static String label(HttpVersion version) {
        return switch (version) {
            case HTTP_2 -> "h2";
            case HTTP_3 -> "h3";
            default -> "h1";
        };
    }

    /** HTTP/2 and HTTP/3 carry a tunnel on one stream of a shared connection; HTTP/1.1 on the whole connection. */
    public static boolean isStream(HttpVersion version) {
        return version == HttpVersion.HTTP_2 || version == HttpVersion.HTTP_3;
    }
}
