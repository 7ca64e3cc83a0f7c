package net.doublehop.loadgen;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Refuses to send load anywhere but this machine unless the user says --allow-remote: a load generator pointed
 * at the wrong host is a denial-of-service tool. Every address a name resolves to must be loopback.
 */
public final class LoopbackGuard {

    private LoopbackGuard() { }

    public static void check(String what, String host, boolean allowRemote) throws UsageException {
        if (allowRemote) {
            return;
        }
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new UsageException(what + " " + host + ": cannot resolve the name");
        }
        for (InetAddress a : all) {
            if (!a.isLoopbackAddress()) {
                throw new UsageException(what + " " + host + " resolves to " + a.getHostAddress()
                        + ", which is not a loopback address; pass --allow-remote to load a deployment you own");
            }
        }
    }

    /** Checks the target, and the proxy unless the run is --direct. */
    public static void check(Options o) throws UsageException {
        check("--target", o.targetHost, o.allowRemote);
        if (!o.direct) {
            check("--proxy", o.proxyHost, o.allowRemote);
        }
    }
}
