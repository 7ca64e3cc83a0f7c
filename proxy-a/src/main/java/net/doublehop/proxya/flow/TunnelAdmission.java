package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.listen.TunnelLimiter;
import net.doublehop.runtime.trace.AsyncStage;

/**
 * Stage 3, admit: the user's own {@code sec-ch-geohash} (a request for a coarser location) must parse, then the
 * request takes a tunnel slot: {@code limits.max-tunnels} and {@code -per-connection} (503), then the user's own
 * (429). All are released together ({@link #release}), so a refused user never holds a proxy slot.
 */
public final class TunnelAdmission implements AsyncStage<UserTunnelContext, Void> {

    private final TunnelLimiter tunnelLimits;
    private final UserLimits userLimits;

    /** @param userLimits this process's per-user limits, or those shared by every instance ({@code store.redis}) */
    public TunnelAdmission(TunnelLimiter tunnelLimits, UserLimits userLimits) {
        this.tunnelLimits = tunnelLimits;
        this.userLimits = userLimits;
    }

    /** Asynchronous because shared per-user limits ask the store; in-memory ones answer at once. */
    @Override
    public Future<Void> apply(UserTunnelContext ctx) {
        ctx.requestedHint(requestedHint(ctx));
        Object connection = ctx.request().connection();
        tunnelLimits.acquire(connection);
        return userLimits.admit(ctx.user())
                .<Void>map(v -> {
                    ctx.slotsHeld(true);
                    return null;
                })
                .recover(refused -> {
                    tunnelLimits.release(connection);
                    return Future.failedFuture(refused);
                });
    }

    /** Gives back the slots {@link #apply} took, once; a no-op when it took none. */
    public void release(UserTunnelContext ctx) {
        if (ctx.slotsHeld()) {
            ctx.slotsHeld(false);
            userLimits.release(ctx.user());
            tunnelLimits.release(ctx.request().connection());
        }
    }

    /**
     * A user may send {@code sec-ch-geohash} to ask for a coarser location. One that does not parse is refused
     * with 400, as B refuses it: silently sending the precise cell instead would surprise that user.
     */
    private static Optional<GeohashHint> requestedHint(UserTunnelContext ctx) {
        List<String> values = ctx.request().headers().getAll(HeaderNames.SEC_CH_GEOHASH);
        if (values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw ProxyFailure.badRequest("sec-ch-geohash repeated");
        }
        return Optional.of(GeohashHint.parse(values.get(0)));
    }
}
