package net.doublehop.proxya.issuer;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import net.doublehop.protocol.HeaderNames;

/**
 * The issuer is an origin, so its users authenticate with {@code Authorization} (RFC 9110 §11.6.2), while
 * Proxy A's {@code UserAuthenticator} reads {@code Proxy-Authorization}. This view of a request shows the
 * {@code Authorization} value under the name {@code Proxy-Authorization} (and hides any real
 * {@code Proxy-Authorization}, which means nothing to an origin), so the attester checks exactly the
 * accounts, hashes, keys and client certificates the proxy does, with the proxy's own code.
 */
final class AttesterRequest {

    private static final String AUTHORIZATION = "authorization";

    private AttesterRequest() {
    }

    static HttpServerRequest of(HttpServerRequest req) {
        return (HttpServerRequest) Proxy.newProxyInstance(HttpServerRequest.class.getClassLoader(),
                new Class<?>[] {HttpServerRequest.class}, (self, method, args) -> {
                    if (method.getName().equals("getHeader") && args.length == 1 && args[0] != null) {
                        String name = args[0].toString();
                        if (name.equalsIgnoreCase(HeaderNames.PROXY_AUTHORIZATION)) {
                            return req.getHeader(AUTHORIZATION);
                        }
                    } else if (method.getName().equals("headers") && (args == null || args.length == 0)) {
                        MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
                        copy.remove(HeaderNames.PROXY_AUTHORIZATION);
                        String authorization = req.getHeader(AUTHORIZATION);
                        if (authorization != null) {
                            copy.set(HeaderNames.PROXY_AUTHORIZATION, authorization);
                        }
                        return copy;
                    }
                    try {
                        return method.invoke(req, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
