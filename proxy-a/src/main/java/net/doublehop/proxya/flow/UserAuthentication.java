package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import net.doublehop.protocol.HeaderNames;

/** Stage 2, authenticate: {@code Proxy-Authorization} or the client certificate names a user (407/403 otherwise). */
public final class UserAuthentication {

    private final UserAuthenticator users;

    public UserAuthentication(UserAuthenticator users) {
        this.users = users;
    }

    public Future<Void> apply(UserTunnelContext ctx) {
        return users.authenticate(ctx.request().header(HeaderNames.PROXY_AUTHORIZATION), ctx.request().sslSession())
                .map(user -> {
                    ctx.user(user);
                    return null;
                });
    }
}
