package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.runtime.trace.AsyncStage;

/** Stage 2, authenticate: {@code Proxy-Authorization} or the client certificate names a user (407/403 otherwise). */
public final class UserAuthentication implements AsyncStage<UserTunnelContext, Void> {

    private final UserAuthenticator users;

    public UserAuthentication(UserAuthenticator users) {
        this.users = users;
    }

    @Override
    public Future<Void> apply(UserTunnelContext ctx) {
        return users.authenticate(ctx.request().header(HeaderNames.PROXY_AUTHORIZATION), ctx.request().sslSession())
                .map(user -> {
                    ctx.user(user);
                    return null;
                });
    }
}
