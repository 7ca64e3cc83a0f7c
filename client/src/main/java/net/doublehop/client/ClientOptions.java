package net.doublehop.client;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.runtime.config.HostPort;

/**
 * The local client's command line, checked: where it listens, how it reaches Proxy A (and, in oblivious mode,
 * Proxy B through A), and what it presents there.
 *
 * @param socks the SOCKS5 listener, or empty when turned off ({@code --socks none})
 * @param http the HTTP CONNECT listener, or empty
 * @param proxyA Proxy A's {@code https://host:port}
 * @param version how the client reaches A: HTTP/1.1 (a TLS connection per tunnel), HTTP/2 over TLS, or HTTP/3
 * @param bTransport in oblivious mode, how the client reaches B inside the tunnel through A: TLS 1.3 + HTTP/2 in a
 *     CONNECT, or QUIC (HTTP/3) in a CONNECT-UDP
 * @param udpTemplate A's CONNECT-UDP URI template (RFC 9298 §2)
 * @param credential what A is shown
 * @param bCredential what B is shown in oblivious mode: a preshared key (tests), or Privacy Pass tokens from A's
 *     issuer, which do not name the account
 * @param geohash a coarser location to ask A for ({@code sec-ch-geohash}), if any
 * @param sourceAddress the local address for connections to A (a multi-homed host; A locates the client by it)
 */
public record ClientOptions(Mode mode, Optional<HostPort> socks, Optional<HostPort> http, URI proxyA,
        HttpVersion version, BTransport bTransport, MasqueUriTemplate udpTemplate, Optional<URI> proxyB,
        Credential credential, Optional<Credential> bCredential, Optional<Path> cacert,
        boolean insecure, Optional<String> geohash, Optional<InetAddress> sourceAddress, boolean verbose) {

    /** Forward: A reads each destination. Oblivious: A carries a TLS connection to B and never sees it. */
    public enum Mode { FORWARD, OBLIVIOUS }

    /** The protocol to Proxy A ({@code --http-version}). */
    public enum HttpVersion {
        /** HTTP/1.1 over TLS: one connection per tunnel (CONNECT; CONNECT-UDP as an Upgrade, RFC 9298 §3.2). */
        H1,
        /** HTTP/2 over TLS 1.3: one connection per event loop, a stream per tunnel. */
        H2,
        /** HTTP/3 over QUIC: one connection per event loop, a stream per tunnel. */
        H3
    }

    /** Oblivious mode's connection to B inside the tunnel through A ({@code --b-transport}). */
    public enum BTransport {
        /** A CONNECT to B's TCP port through A, TLS 1.3 and HTTP/2 to B inside it. */
        TLS,
        /** A CONNECT-UDP to B's QUIC port through A, QUIC and HTTP/3 to B over it. */
        QUIC
    }

    /** How the client proves itself to A: HTTP Basic, a preshared key, or Privacy Pass tokens from an issuer. */
    public sealed interface Credential permits Basic, Preshared, PrivacyPass { }

    /** {@code Proxy-Authorization: Basic …}. */
    public record Basic(String user, String password) implements Credential {
        public String header() {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** {@code Proxy-Authorization: Preshared KEY}. */
    public record Preshared(String key) implements Credential {
        public String header() {
            return "Preshared " + key;
        }
    }

    /**
     * Tokens fetched from {@code issuer} on demand (as a Basic user of A's attester), one per tunnel.
     *
     * @param issuerName the issuer_name of the challenge tokens are made for (A's {@code issuer.name})
     */
    public record PrivacyPass(URI issuer, String issuerName, Basic attester) implements Credential { }

    static final String DEFAULT_SOCKS = "127.0.0.1:1080";
    static final String DEFAULT_HTTP = "127.0.0.1:8118";

    /** Bad usage: exit code 2 with the usage text. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static ClientOptions parse(String[] args) throws UsageException {
        Mode mode = Mode.FORWARD;
        String socks = DEFAULT_SOCKS;
        String http = DEFAULT_HTTP;
        String proxyA = null;
        String proxyB = null;
        String version = "h2";
        String bTransport = null;
        String template = null;
        String user = null;
        String psk = null;
        String bPsk = null;
        String issuer = null;
        String issuerName = null;
        String cacert = null;
        String geohash = null;
        String source = null;
        boolean insecure = false;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--insecure" -> insecure = true;
                case "--verbose", "-v" -> verbose = true;
                case "--mode", "--socks", "--http", "--proxy-a", "--proxy-b", "--http-version", "--udp-template",
                        "--user", "--psk", "--b-psk", "--privacy-pass-issuer", "--issuer-name", "--cacert", "--geohash",
                        "--source-address", "--b-transport" -> {
                    if (i + 1 >= args.length) {
                        throw new UsageException(a + " needs a value");
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--mode" -> mode = switch (v) {
                            case "forward" -> Mode.FORWARD;
                            case "oblivious" -> Mode.OBLIVIOUS;
                            default -> throw new UsageException("--mode is forward or oblivious");
                        };
                        case "--socks" -> socks = v;
                        case "--http" -> http = v;
                        case "--proxy-a" -> proxyA = v;
                        case "--proxy-b" -> proxyB = v;
                        case "--http-version" -> version = v;
                        case "--udp-template" -> template = v;
                        case "--user" -> user = v;
                        case "--psk" -> psk = v;
                        case "--b-psk" -> bPsk = v;
                        case "--privacy-pass-issuer" -> issuer = v;
                        case "--issuer-name" -> issuerName = v;
                        case "--cacert" -> cacert = v;
                        case "--source-address" -> source = v;
                        case "--b-transport" -> bTransport = v;
                        default -> geohash = v;
                    }
                }
                default -> throw new UsageException("unknown argument '" + a + "'");
            }
        }
        if (proxyA == null) {
            throw new UsageException("--proxy-a URL is required");
        }
        URI a = httpsUrl("--proxy-a", proxyA);
        Optional<URI> b = Optional.empty();
        if (mode == Mode.OBLIVIOUS) {
            if (proxyB == null) {
                throw new UsageException("--mode oblivious needs --proxy-b URL");
            }
            b = Optional.of(httpsUrl("--proxy-b", proxyB));
        } else if (proxyB != null) {
            throw new UsageException("--proxy-b goes with --mode oblivious");
        }
        HttpVersion httpVersion = switch (version) {
            case "h1", "http/1.1" -> HttpVersion.H1;
            case "h2" -> HttpVersion.H2;
            case "h3" -> HttpVersion.H3;
            default -> throw new UsageException("--http-version is h1, h2 or h3");
        };
        BTransport toB = BTransport.TLS;
        if (bTransport != null) {
            if (mode != Mode.OBLIVIOUS) {
                throw new UsageException("--b-transport goes with --mode oblivious");
            }
            toB = switch (bTransport) {
                case "tls" -> BTransport.TLS;
                case "quic" -> BTransport.QUIC;
                default -> throw new UsageException("--b-transport is tls or quic");
            };
        }
        Optional<HostPort> socksAt = listen("--socks", socks);
        Optional<HostPort> httpAt = listen("--http", http);
        if (socksAt.isEmpty() && httpAt.isEmpty()) {
            throw new UsageException("--socks none and --http none leave nothing to listen on");
        }
        MasqueUriTemplate udp;
        try {
            udp = template != null ? MasqueUriTemplate.parse(template)
                    : MasqueUriTemplate.defaultFor(a.getHost(), port(a));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--udp-template: " + e.getMessage());
        }
        Credential credential = credential(user, psk, issuer, issuerName);
        Optional<Credential> bCredential = Optional.empty();
        if (mode == Mode.OBLIVIOUS) {
            // B must not learn the account: a token from A's issuer, or a key shared by every client (tests)
            if (bPsk != null) {
                bCredential = Optional.of(preshared("--b-psk", bPsk));
            } else if (credential instanceof PrivacyPass pp) {
                bCredential = Optional.of(pp);
            } else {
                throw new UsageException("--mode oblivious needs a credential for Proxy B that does not name you: "
                        + "--privacy-pass-issuer URL --issuer-name NAME (tokens), or --b-psk KEY");
            }
        } else if (bPsk != null) {
            throw new UsageException("--b-psk goes with --mode oblivious");
        }
        Optional<Path> ca = Optional.empty();
        if (cacert != null) {
            Path p = Path.of(cacert);
            if (!Files.isReadable(p)) {
                throw new UsageException("--cacert: cannot read " + cacert);
            }
            if (insecure) {
                throw new UsageException("--insecure and --cacert exclude each other");
            }
            ca = Optional.of(p);
        }
        if (geohash != null) {
            try {
                GeohashHint.parse(geohash);
            } catch (ProxyFailure e) {
                throw new UsageException("--geohash is not a sec-ch-geohash value (e.g. xn76-JP): " + e.details());
            }
        }
        Optional<InetAddress> sourceAddress = Optional.empty();
        if (source != null) {
            try {
                sourceAddress = Optional.of(InetAddress.getByName(source));
            } catch (UnknownHostException e) {
                throw new UsageException("--source-address: unknown address " + source);
            }
        }
        return new ClientOptions(mode, socksAt, httpAt, a, httpVersion, toB, udp, b, credential, bCredential, ca,
                insecure, Optional.ofNullable(geohash), sourceAddress, verbose);
    }

    private static Credential credential(String user, String psk, String issuer, String issuerName)
            throws UsageException {
        if (issuer != null) {
            if (psk != null) {
                throw new UsageException("--privacy-pass-issuer takes --user (the issuer's attester), not --psk");
            }
            if (user == null) {
                throw new UsageException("--privacy-pass-issuer needs --user NAME:PASSWORD for the issuer");
            }
            if (issuerName == null) {
                throw new UsageException("--privacy-pass-issuer needs --issuer-name NAME (A's issuer.name)");
            }
            return new PrivacyPass(httpsUrl("--privacy-pass-issuer", issuer), issuerName, basic(user));
        }
        if (issuerName != null) {
            throw new UsageException("--issuer-name goes with --privacy-pass-issuer");
        }
        if (user != null && psk != null) {
            throw new UsageException("give one of --user and --psk");
        }
        if (user != null) {
            return basic(user);
        }
        if (psk != null) {
            return preshared("--psk", psk);
        }
        throw new UsageException("credentials for A are required: --user NAME:PASSWORD, --psk KEY, or "
                + "--privacy-pass-issuer URL --issuer-name NAME --user NAME:PASSWORD");
    }

    private static Preshared preshared(String option, String key) throws UsageException {
        if (key.isBlank() || key.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
            throw new UsageException(option + " must be visible ASCII without spaces");
        }
        return new Preshared(key);
    }

    private static Basic basic(String user) throws UsageException {
        int colon = user.indexOf(':');
        if (colon <= 0) {
            throw new UsageException("--user is NAME:PASSWORD");
        }
        return new Basic(user.substring(0, colon), user.substring(colon + 1));
    }

    private static URI httpsUrl(String option, String v) throws UsageException {
        URI u;
        try {
            u = new URI(v);
        } catch (URISyntaxException e) {
            throw new UsageException(option + " is not a URL: " + v);
        }
        if (u.getScheme() == null || !u.getScheme().equalsIgnoreCase("https") || u.getHost() == null) {
            throw new UsageException(option + " must be https://host[:port]");
        }
        return u;
    }

    static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : 443;
    }

    /**
     * A listen address on loopback only: the SOCKS5 side asks for no credentials (browsers send none), so anywhere
     * else it would be an open proxy on the user's account.
     */
    private static Optional<HostPort> listen(String option, String v) throws UsageException {
        if (v.equals("none")) {
            return Optional.empty();
        }
        HostPort hp;
        try {
            hp = HostPort.parse(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
        try {
            if (!InetAddress.getByName(hp.host()).isLoopbackAddress()) {
                throw new UsageException(option + " must be a loopback address (it asks for no credentials)");
            }
        } catch (UnknownHostException e) {
            throw new UsageException(option + ": unknown host " + hp.host());
        }
        return Optional.of(hp);
    }
}
