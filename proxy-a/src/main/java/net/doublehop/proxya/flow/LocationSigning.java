package net.doublehop.proxya.flow;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.signature.GeohashSigner;
import net.doublehop.runtime.trace.Stage;

/**
 * Stage 4, locate and sign: the client's address becomes a reduced-precision geohash (coarser if the user asked),
 * signed with A's Ed25519 key (RFC 9421). Only the signed cell leaves A; the address never does.
 */
public final class LocationSigning implements Stage<UserTunnelContext> {

    private final ClientLocator locator;
    private final GeohashSigner signer;

    public LocationSigning(ClientLocator locator, GeohashSigner signer) {
        this.locator = locator;
        this.signer = signer;
    }

    @Override
    public void apply(UserTunnelContext ctx) {
        InetAddress client = clientAddress(ctx);
        Optional<GeohashHint> hint = client == null ? Optional.empty() : locator.locate(client, ctx.requestedHint());
        ctx.location(hint.map(signer::sign));
        ctx.resigner(() -> hint.map(signer::sign));
    }

    /** The client's address as an InetAddress; the listeners give a literal, so this never touches DNS. */
    private static InetAddress clientAddress(UserTunnelContext ctx) {
        try {
            String ip = ctx.request().remoteHost();
            return ip == null ? null : InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
