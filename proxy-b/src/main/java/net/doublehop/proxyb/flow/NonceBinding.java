package net.doublehop.proxyb.flow;

import java.lang.ref.WeakReference;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.doublehop.protocol.ProxyFailure;

/**
 * Binds each geohash signature to the connection that first presented it (RFC 9421 §7.2.2, replay): its nonce is
 * remembered until the signature expires, and the signature is accepted again only on that same connection. A
 * signed header captured off one client (or copied out of an oblivious-mode tunnel) therefore cannot be replayed
 * from elsewhere, while the client that got it may open any number of tunnels on its connection to B until it
 * expires. A's forward mode signs every tunnel anew, so it never repeats a nonce.
 *
 * <p>The connection is held weakly: once it is gone its nonces match no connection. Entries go when their signature
 * expires (plus the clock skew B tolerates); at {@link #capacity} a new nonce is refused (403) after a sweep rather
 * than forgetting one still valid. Thread-safe: every listener event loop checks here.
 */
public final class NonceBinding {

    static final ProxyFailure REPLAYED = ProxyFailure.denied("geohash signature replayed from another connection");
    static final ProxyFailure NO_NONCE = ProxyFailure.denied("geohash signature without nonce");
    static final ProxyFailure FULL = ProxyFailure.denied("geohash signature nonces: store full");

    private record Binding(WeakReference<Object> connection, long forgetAfter) { }

    private final Map<String, Binding> bindings = new ConcurrentHashMap<>();
    private final Clock clock;
    private final long skewSeconds;
    private final int capacity;

    public NonceBinding(Clock clock, long skewSeconds, int capacity) {
        this.clock = clock;
        this.skewSeconds = skewSeconds;
        this.capacity = capacity;
    }

    /** Accepts {@code nonce} on {@code connection}, or throws a 403 {@link ProxyFailure}. */
    public void check(String nonce, long expires, Object connection) {
        if (nonce == null) {
            throw NO_NONCE;
        }
        long now = clock.instant().getEpochSecond();
        Binding known = bindings.get(nonce);
        if (known != null && known.connection().get() == connection) {
            return; // its own connection, again: another tunnel with the same signature
        }
        if (known == null && bindings.size() >= capacity) {
            bindings.values().removeIf(b -> b.forgetAfter() < now || b.connection().get() == null);
            if (bindings.size() >= capacity) {
                throw FULL;
            }
        }
        Binding mine = new Binding(new WeakReference<>(connection), expires + skewSeconds);
        Binding first = bindings.putIfAbsent(nonce, mine);
        if (first != null && first.connection().get() != connection) {
            if (first.forgetAfter() >= now) {
                throw REPLAYED;
            }
            bindings.replace(nonce, first, mine); // that signature has expired: the verifier refused it already
        }
        if (bindings.size() % 1024 == 0) {
            bindings.values().removeIf(b -> b.forgetAfter() < now);
        }
    }

    int size() {
        return bindings.size();
    }
}
