package net.doublehop.runtime.auth;

import io.vertx.core.Future;

/**
 * The double-spend check of Privacy Pass redemption (RFC 9577 §2.2, RFC 9578 §5.5 and §6.5): each token is
 * accepted once. A token is identified by its issuer key and its nonce; entries live as long as that key is
 * accepted, since a token of a retired key is refused anyway.
 *
 * <p>Asynchronous so a store shared by several proxy instances (a network service) fits behind the same
 * interface as the in-memory one.
 */
public interface SpentTokenStore {

    /** What a redemption attempt found. */
    enum Outcome {
        /** First use: recorded, accept the token. */
        FRESH,
        /** Seen before: refuse (replay). */
        REPLAYED,
        /** The store cannot record more: refuse, failing closed rather than forgetting spent tokens. */
        FULL,
        /**
         * A shared store did not answer (down, unreachable, slower than its timeout): refuse, failing closed, since
         * accepting a token nobody could record would let it be spent again at another instance.
         */
        UNAVAILABLE
    }

    /**
     * Records the token as spent if it was not, atomically.
     *
     * @param tokenKeyId the 32-byte token_key_id of the issuer key the token verified with
     * @param nonce the token's 32-byte nonce
     */
    Future<Outcome> spend(byte[] tokenKeyId, byte[] nonce);

    /** Forgets every token of a key that is no longer accepted (key rotation). */
    void retireKey(byte[] tokenKeyId);
}
