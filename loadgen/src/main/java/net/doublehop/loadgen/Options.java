package net.doublehop.loadgen;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.protocol.masque.UdpTarget;

/** The command line of a load run. {@link #parse} throws {@link UsageException} (exit code 2) on anything wrong. */
public final class Options {

    public enum Workload { BULK, SETUP, FIRSTBYTE, RPS, IDLE, UDP }

    /** Longest UDP payload a datagram can carry (RFC 9298 §5: 65535 - 8). */
    static final int MAX_UDP_SIZE = 65527;

    /** A udp datagram starts with its sequence number and send time (8 bytes each). */
    static final int MIN_UDP_SIZE = 16;

    public static final String HELP = """
            usage: loadgen [options]            run a load test (see workloads below)
                   loadgen serve [--listen HOST:PORT] [--udp-listen HOST:PORT | --no-udp] [--threads N]
                                                start the destination server the workloads talk to

            Load test of an HTTP CONNECT proxy (HTTP/1.1, HTTP/2 or HTTP/3; TLS or plain for h1/h2), or of a
            CONNECT-UDP proxy (RFC 9298 over any of the three) with --workload udp. Every tunnel is opened to --target, which must run
            `loadgen serve`: the first line a TCP tunnel sends tells it what to do (SOURCE <bytes|inf> | SINK |
            ECHO | RR <reqsize> <respsize>); on UDP it echoes every datagram to its sender.

            Proxy
              --proxy URL              the proxy, https://HOST:PORT (TLS) or http://HOST:PORT (plain; h2 is then h2c
                                       with prior knowledge). Required unless --direct.
              --proxy-version V        h1 | h2 | h3 (default h1). h1: one TCP+TLS connection per tunnel. h2: CONNECT
                                       streams (RFC 9113 §8.5) multiplexed on --h2-connections connections. h3:
                                       CONNECT streams (RFC 9114 §4.4) multiplexed on --h3-connections QUIC
                                       connections (https:// only: QUIC is always TLS 1.3, on the proxy's UDP port).
                                       setup opens a new connection per tunnel on every version
              --proxy-insecure         do not verify the proxy's certificate (nor its name)
              --proxy-cacert FILE      PEM CA certificate(s) to verify the proxy with (default: the JDK's trust store)
              --proxy-cert FILE        PEM client certificate for mTLS (with --proxy-key)
              --proxy-key FILE         PEM PKCS#8 private key of --proxy-cert
              --proxy-user USER:PASS   send Proxy-Authorization: Basic base64(USER:PASS)
              --proxy-header 'N: V'    add a header to every CONNECT request; repeatable
                                       (e.g. 'Proxy-Authorization: Bearer xyz', 'sec-ch-geohash: u4pruy')
              --h2-connections K       h2 only: spread the tunnels over K connections (default 1)
              --h3-connections K       h3 only: spread the tunnels over K QUIC connections (default 1); a proxy
                                       bounds the streams open on one connection (QUIC MAX_STREAMS)
              --h3-datagrams B         h3 CONNECT-UDP: true (default) sends SETTINGS_H3_DATAGRAM=1 and carries UDP
                                       payloads as HTTP/3 datagrams (QUIC DATAGRAM frames) once the proxy allowed
                                       them too; false forces DATAGRAM capsules on the request stream
              --client-tls P           the client's TLS library over TCP (h1, h2, --direct-tls): openssl (default:
                                       BoringSSL through netty-tcnative, as curl and browsers use a C library) or
                                       jdk (the JDK's own SSLEngine, as a Java client using SSLSocket or
                                       HttpClient has). h3 always uses BoringSSL inside the QUIC codec
              --tls-resume             resume TLS sessions (RFC 8446 §2.2: a ticket from an earlier connection to the
                                       same HOST:PORT, as browsers do) on every new connection after the first.
                                       Without it every connection makes a full handshake (no ticket is offered).
                                       The summary counts the handshakes that were resumed (the proxy must issue
                                       tickets). h1, h2 and --direct-tls; h3 too (QUIC's TLS 1.3 tickets)
              --tcp-nodelay B          true (default) disables Nagle's algorithm on the client's TCP sockets, as
                                       Netty clients, curl and browsers do; false leaves it on (the default of a
                                       plain java.net.Socket or SSLSocket)
              --direct                 no proxy: connect straight to --target (shows what the generator itself
                                       reaches; the proxy options are then ignored)
              --direct-tls             like --direct, but over TLS: the target is a TLS endpoint in front of a
                                       `loadgen serve` (e.g. a TLS-terminating TCP relay such as HAProxy, no
                                       CONNECT). --proxy-cacert or --proxy-insecure then verify the target

            Target and method
              --target HOST:PORT       the CONNECT destination (a `loadgen serve`). Required.
              --method M               CONNECT (default for bulk, setup, rps, idle) or CONNECT-UDP (RFC 9298;
                                       the default and the only method for --workload udp through a proxy).
                                       h1: GET <--uri-template path> with Upgrade: connect-udp and
                                       Capsule-Protocol: ?1, 101, then DATAGRAM capsules. h2/h3: extended CONNECT
                                       (:protocol connect-udp, :scheme https, :path from the template), 2xx, then
                                       DATAGRAM capsules on the stream (h2; h2 needs the proxy's
                                       SETTINGS_ENABLE_CONNECT_PROTOCOL) or HTTP/3 datagrams (h3, see
                                       --h3-datagrams). One flow per tunnel: h1 one connection each, h2/h3 one
                                       stream each
              --uri-template URL       CONNECT-UDP: the proxy's URI template (RFC 9298 §2), default
                                       https://PROXY_HOST:PROXY_PORT/.well-known/masque/udp/{target_host}/{target_port}/
              --allow-remote           allow a --proxy or --target that is not a loopback address. Without it every
                                       address the names resolve to must be loopback (127.0.0.0/8, ::1).

            Workload
              --workload W             bulk | setup | firstbyte | rps | idle | udp (default bulk)
                bulk   each tunnel downloads (target -> client) as fast as it can: MB/s total and per tunnel
                setup  open a NEW connection to the proxy, CONNECT, one 1-byte round trip, close; repeat.
                       Latency percentiles of the whole setup and of the CONNECT answer alone
                firstbyte  per tunnel: a NEW connection to the proxy (TCP + TLS; h2/h3: a fresh connection with
                       one stream), CONNECT, one request of --request-size bytes through the tunnel, and the time
                       until the destination's first response byte arrives (the destination answers
                       --response-size bytes; the tunnel closes once they are in); repeat. Percentiles of the time
                       to first byte from the start, and of its phases: TCP connect, TLS handshake, CONNECT
                       answer, request to first byte. With --direct-tls the TLS endpoint stands for the proxy (no
                       CONNECT). setup is the same with a 1-byte request and answer and without the phases
                rps    keep-alive tunnels doing request/response round trips: requests/s and latency percentiles
                idle   open --tunnels tunnels (at most --concurrency handshakes at a time) and hold them for the
                       duration; with --pids, RSS growth per tunnel of those processes
              Every workload reports the generator's own CPU time over the measured window (and with --pids that
              of the listed processes) in the summary's CPU lines and the JSON's totals.cpu
                udp    --tunnels UDP flows (CONNECT-UDP through the proxy, or plain UDP sockets with --direct),
                       each keeping --window datagrams of --size bytes in flight to the target's UDP echo:
                       round-trip percentiles, packets/s and MB/s each way, lost and late datagrams
              --tunnels N              concurrent tunnels (default 1; setup: N parallel sequential loops)
              --duration D             how long to measure, e.g. 500ms, 10s, 2m (default 10s)
              --warmup D               run the workload this long first and discard what it measured (default 0).
                                       The JVM (the generator's and a Java proxy's) compiles its TLS and I/O
                                       paths during the first seconds; 3s to 5s gives steady numbers.
                                       The warm-up then goes on, a second at a time, while the generator's
                                       own JIT compiler is still busy (more than 50 ms of compiling in the
                                       last second): on a small machine it would take CPU from the proxy
                                       under test. At most twice --warmup (at least 10 s) more; the summary
                                       says how long it took
              --no-jit-settle          end the warm-up after --warmup exactly
              --count N                stop after N operations (default unlimited): bulk = downloads (tunnels),
                                       setup, firstbyte = tunnels, rps = round trips, udp = datagrams sent;
                                       idle ignores it. The run stops at
                                       --count or --duration, whichever comes first; the warm-up does not
                                       count
              --bytes N                bulk: bytes each tunnel downloads, e.g. 100M (default unlimited within the
                                       duration). With --count, finished downloads are replaced by new tunnels
              --request-size N         rps, firstbyte: request bytes (default 64)
              --response-size N        rps, firstbyte: response bytes (default 64)
              --size N                 udp: UDP payload bytes per datagram, 16 to 65527 (default 1200)
              --window N               udp: datagrams in flight per flow (default 1 = ping-pong); each echo (or
                                       loss) sends the next
              --loss-timeout D         udp: a datagram not echoed within D is counted lost and replaced (default
                                       1s; checked every D/4); its echo arriving later is counted late
              --pids PID,PID           processes to account for (Linux /proc), e.g. the proxies on the path: every
                                       workload reports the CPU time (user + system, /proc/PID/stat; a process
                                       with its child processes) each used during the measured window (after the
                                       warm-up), their sum and the generator's own, also per unit of work: ms per
                                       MB received (bulk), per setup (setup), per tunnel (firstbyte), per 1,000
                                       requests (rps), per 1,000 datagrams echoed (udp). idle also reads each
                                       one's VmRSS (/proc/PID/status) before and after opening the tunnels
              --concurrency N          idle: at most N tunnel openings in flight (default 64)
              --timeout D              connect + TLS + CONNECT (or CONNECT-UDP) answer deadline per tunnel
                                       (default 10s)
              --threads N              client event-loop threads (default: number of CPUs)

            Output
              --json FILE              write options, per-second series, totals, histograms and percentiles
              --html FILE              write a self-contained HTML report with SVG charts
              --quiet                  no live progress line on stderr
              --help                   this text

            A lost datagram is not an error (UDP may drop); the exit code counts errors only.
            Ctrl-C (or SIGTERM) ends a run early; the summary and the reports then cover the time it ran.
            Sizes take k, m, g suffixes (powers of 1024: 64k = 65536). MB/s means 10^6 bytes per second.
            Exit codes: 0 run without errors, 1 run with errors (or nothing could be opened), 2 bad usage or not
            supported yet.

            Examples
              loadgen serve --listen 127.0.0.1:9000 &
              loadgen --direct --target 127.0.0.1:9000 --workload bulk --tunnels 4 --duration 5s
              loadgen --proxy https://127.0.0.1:7443 --proxy-cacert run/dev/ca.crt --proxy-user alice:wonderland \\
                      --target 127.0.0.1:9000 --workload bulk --tunnels 4 --duration 10s --html bulk.html
              loadgen --proxy https://127.0.0.1:8443 --proxy-version h2 --proxy-cacert run/dev/ca.crt \\
                      --proxy-cert run/dev/a-client.crt --proxy-key run/dev/a-client.key \\
                      --target 127.0.0.1:9000 --workload rps --tunnels 32 --duration 10s --json rps.json
              loadgen --proxy https://127.0.0.1:7443 --proxy-cacert run/dev/ca.crt --proxy-user alice:wonderland \\
                      --target 127.0.0.1:9000 --workload bulk --warmup 5s --duration 10s \\
                      --pids $(pgrep -f proxy-a.jar),$(pgrep -f proxy-b.jar)     (CPU ms per MB of A and B)
              loadgen --proxy https://127.0.0.1:7443 --proxy-cacert run/dev/ca.crt --proxy-user alice:wonderland \\
                      --target 127.0.0.1:9000 --workload setup --count 2000
              loadgen --proxy https://127.0.0.1:7443 --proxy-cacert run/dev/ca.crt --proxy-user alice:wonderland \\
                      --target 127.0.0.1:9000 --workload idle --tunnels 5000 --duration 30s --pids 1234,5678
              loadgen --proxy https://127.0.0.1:7443 --proxy-cacert run/dev/ca.crt --proxy-user alice:wonderland \\
                      --target 127.0.0.1:9000 --workload firstbyte --client-tls jdk --tls-resume --warmup 5s
              loadgen --direct --target 127.0.0.1:9000 --workload udp --tunnels 8 --window 16 --duration 10s
              loadgen --proxy https://127.0.0.1:8443 --proxy-cacert run/dev/ca.crt --method connect-udp \\
                      --proxy-header 'Proxy-Authorization: Preshared dev-key-change-me' \\
                      --target 127.0.0.1:9000 --workload udp --size 1200 --window 1 --warmup 3s --duration 10s
              loadgen --proxy https://127.0.0.1:8443 --proxy-version h3 --proxy-cacert run/dev/ca.crt \\
                      --proxy-header 'Proxy-Authorization: Preshared dev-key-change-me' \\
                      --target 127.0.0.1:9000 --workload udp --window 16 --duration 10s     (B with http3: true)
            """;

    public boolean help;

    public String proxyUrl;
    public boolean proxyTls;
    public String proxyHost;
    public int proxyPort;
    public String proxyVersion = "h1";
    public boolean proxyInsecure;
    public Path proxyCacert;
    public Path proxyCert;
    public Path proxyKey;
    public String proxyUser;
    /** Extra CONNECT headers, name and value, in the order given. */
    public final List<String[]> proxyHeaders = new ArrayList<>();
    public int h2Connections = 1;
    public int h3Connections = 1;
    /** h3 CONNECT-UDP: offer and use HTTP/3 datagrams (false: DATAGRAM capsules on the stream). */
    public boolean h3Datagrams = true;
    private boolean h3DatagramsGiven;
    public boolean direct;
    /** --direct-tls: straight to the target, over TLS (no CONNECT); the TLS options verify the target. */
    public boolean directTls;
    /** The client's TLS library over TCP: "openssl" (BoringSSL via netty-tcnative) or "jdk" (SSLEngine). */
    public String clientTls = Tls.OPENSSL_AVAILABLE ? "openssl" : "jdk";
    private boolean clientTlsGiven;
    /** Offer a session ticket from an earlier connection (TLS resumption) on each new TCP TLS connection. */
    public boolean tlsResume;
    public boolean tcpNoDelay = true;

    public String targetHost;
    public int targetPort;
    public String method = "CONNECT";
    /** --method given explicitly (else udp through a proxy means CONNECT-UDP). */
    private boolean methodGiven;
    /** CONNECT-UDP: the proxy's URI template; null = the default for the proxy's host and port. */
    public String uriTemplate;
    /** CONNECT-UDP: the request target (path and query) and Host for --target, from the URI template. */
    String udpPath;
    String udpAuthority;
    public boolean allowRemote;

    public Workload workload = Workload.BULK;
    public int tunnels = 1;
    public Duration duration = Duration.ofSeconds(10);
    public Duration warmup = Duration.ZERO;
    /** -1: unlimited. */
    public long count = -1;
    /** -1: unlimited. */
    public long bytes = -1;
    public int requestSize = 64;
    public int responseSize = 64;
    public int size = 1200;
    public int window = 1;
    public Duration lossTimeout = Duration.ofSeconds(1);
    private boolean sizeGiven;
    private boolean windowGiven;
    private boolean lossTimeoutGiven;
    public final List<Long> pids = new ArrayList<>();
    public int concurrency = 64;
    public Duration timeout = Duration.ofSeconds(10);
    public int threads = Runtime.getRuntime().availableProcessors();

    public Path json;
    public Path html;
    public boolean quiet;
    /** Extend the warm-up while the generator's JIT compiler is busy (see {@link JitSettle}). */
    public boolean jitSettle = true;

    public static Options parse(String... args) throws UsageException {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String inline = null;
            if (a.startsWith("--") && a.contains("=")) {
                inline = a.substring(a.indexOf('=') + 1);
                a = a.substring(0, a.indexOf('='));
            }
            switch (a) {
                case "--help", "-h" -> o.help = true;
                case "--proxy-insecure" -> o.proxyInsecure = true;
                case "--direct" -> o.direct = true;
                case "--direct-tls" -> {
                    o.direct = true;
                    o.directTls = true;
                }
                case "--allow-remote" -> o.allowRemote = true;
                case "--quiet" -> o.quiet = true;
                case "--no-jit-settle" -> o.jitSettle = false;
                case "--tls-resume" -> o.tlsResume = true;
                default -> {
                    if (!a.startsWith("--")) {
                        throw new UsageException("unexpected argument '" + a + "'");
                    }
                    String v;
                    if (inline != null) {
                        v = inline;
                    } else if (i + 1 < args.length) {
                        v = args[++i];
                    } else {
                        throw new UsageException(a + " needs a value");
                    }
                    o.set(a, v);
                }
            }
        }
        if (!o.help) {
            o.validate();
        }
        return o;
    }

    private void set(String name, String v) throws UsageException {
        switch (name) {
            case "--proxy" -> proxyUrl = v;
            case "--proxy-version" -> {
                proxyVersion = v.toLowerCase(Locale.ROOT);
                if (!proxyVersion.equals("h1") && !proxyVersion.equals("h2") && !proxyVersion.equals("h3")) {
                    throw new UsageException("--proxy-version must be h1, h2 or h3, not '" + v + "'");
                }
            }
            case "--proxy-cacert" -> proxyCacert = existingFile(name, v);
            case "--proxy-cert" -> proxyCert = existingFile(name, v);
            case "--proxy-key" -> proxyKey = existingFile(name, v);
            case "--proxy-user" -> {
                if (v.indexOf(':') < 1) {
                    throw new UsageException("--proxy-user must be USER:PASSWORD");
                }
                proxyUser = v;
            }
            case "--proxy-header" -> {
                int c = v.indexOf(':');
                String n = c < 0 ? "" : v.substring(0, c).trim();
                if (c < 0 || !n.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    throw new UsageException("--proxy-header must be 'Name: value', not '" + v + "'");
                }
                proxyHeaders.add(new String[] {n, v.substring(c + 1).trim()});
            }
            case "--client-tls" -> {
                String t = v.trim().toLowerCase(Locale.ROOT);
                if (!t.equals("openssl") && !t.equals("jdk")) {
                    throw new UsageException("--client-tls must be openssl or jdk, not '" + v + "'");
                }
                if (t.equals("openssl") && !Tls.OPENSSL_AVAILABLE) {
                    throw new UsageException("--client-tls openssl: netty-tcnative's BoringSSL does not load here");
                }
                clientTls = t;
                clientTlsGiven = true;
            }
            case "--tcp-nodelay" -> {
                String b = v.trim().toLowerCase(Locale.ROOT);
                if (!b.equals("true") && !b.equals("false")) {
                    throw new UsageException("--tcp-nodelay must be true or false, not '" + v + "'");
                }
                tcpNoDelay = b.equals("true");
            }
            case "--h2-connections" -> h2Connections = (int) positive(name, v, 10_000);
            case "--h3-connections" -> h3Connections = (int) positive(name, v, 10_000);
            case "--h3-datagrams" -> {
                String b = v.trim().toLowerCase(Locale.ROOT);
                if (!b.equals("true") && !b.equals("false")) {
                    throw new UsageException("--h3-datagrams must be true or false, not '" + v + "'");
                }
                h3Datagrams = b.equals("true");
                h3DatagramsGiven = true;
            }
            case "--target" -> {
                HostPort hp = HostPort.parse(name, v);
                targetHost = hp.host();
                targetPort = hp.port();
            }
            case "--method" -> {
                String m = v.toUpperCase(Locale.ROOT);
                if (!m.equals("CONNECT") && !m.equals("CONNECT-UDP")) {
                    throw new UsageException("--method must be CONNECT or CONNECT-UDP, not '" + v + "'");
                }
                method = m;
                methodGiven = true;
            }
            case "--uri-template" -> uriTemplate = v;
            case "--workload" -> {
                try {
                    workload = Workload.valueOf(v.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--workload must be bulk, setup, firstbyte, rps, idle or udp, not '" + v
                            + "'");
                }
            }
            case "--size" -> {
                long n = size(name, v, Long.MAX_VALUE);
                if (n < MIN_UDP_SIZE || n > MAX_UDP_SIZE) {
                    throw new UsageException("--size must be between " + MIN_UDP_SIZE + " and " + MAX_UDP_SIZE
                            + " bytes (a UDP payload holding the sequence number and send time), not " + v);
                }
                size = (int) n;
                sizeGiven = true;
            }
            case "--window" -> {
                window = (int) positive(name, v, 65_536);
                windowGiven = true;
            }
            case "--loss-timeout" -> {
                lossTimeout = duration(name, v);
                lossTimeoutGiven = true;
            }
            case "--tunnels" -> tunnels = (int) positive(name, v, 1_000_000);
            case "--duration" -> duration = duration(name, v);
            case "--warmup" -> warmup = v.trim().matches("0+(ms|s)?") ? Duration.ZERO : duration(name, v);
            case "--count" -> count = positive(name, v, Long.MAX_VALUE);
            case "--bytes" -> bytes = size(name, v, Long.MAX_VALUE);
            case "--request-size" -> requestSize = (int) size(name, v, 64L << 20);
            case "--response-size" -> responseSize = (int) size(name, v, 64L << 20);
            case "--pids" -> {
                pids.clear();
                for (String p : v.split(",")) {
                    try {
                        long pid = Long.parseLong(p.trim());
                        if (pid <= 0) {
                            throw new NumberFormatException();
                        }
                        pids.add(pid);
                    } catch (NumberFormatException e) {
                        throw new UsageException("--pids must be process ids separated by commas, not '" + v + "'");
                    }
                }
            }
            case "--concurrency" -> concurrency = (int) positive(name, v, 1_000_000);
            case "--timeout" -> timeout = duration(name, v);
            case "--threads" -> threads = (int) positive(name, v, 1024);
            case "--json" -> json = Path.of(v);
            case "--html" -> html = Path.of(v);
            default -> throw new UsageException("unknown option " + name);
        }
    }

    private void validate() throws UsageException {
        if (targetHost == null) {
            throw new UsageException("--target HOST:PORT is required");
        }
        if (directTls) {
            if (proxyInsecure && proxyCacert != null) {
                throw new UsageException("--proxy-insecure and --proxy-cacert exclude each other");
            }
            if ((proxyCert == null) != (proxyKey == null)) {
                throw new UsageException("--proxy-cert and --proxy-key go together");
            }
        }
        if (workload == Workload.UDP && !direct && !methodGiven) {
            method = "CONNECT-UDP";
        }
        if (method.equals("CONNECT-UDP")) {
            if (workload != Workload.UDP) {
                throw new UsageException("--method CONNECT-UDP is for --workload udp (bulk, setup, rps and idle "
                        + "speak TCP through CONNECT)");
            }
        } else if (workload == Workload.UDP && !direct) {
            throw new UsageException("--workload udp through a proxy needs --method CONNECT-UDP (CONNECT carries TCP)");
        }
        if (workload == Workload.UDP && directTls) {
            throw new UsageException("--direct-tls is for the TCP workloads; --workload udp --direct sends plain UDP");
        }
        if (workload != Workload.UDP && (sizeGiven || windowGiven || lossTimeoutGiven)) {
            throw new UsageException("--size, --window and --loss-timeout are for --workload udp");
        }
        if (uriTemplate != null && (direct || !method.equals("CONNECT-UDP"))) {
            throw new UsageException("--uri-template is for --method CONNECT-UDP through a proxy");
        }
        if (h3DatagramsGiven && (direct || !proxyVersion.equals("h3") || !method.equals("CONNECT-UDP"))) {
            throw new UsageException("--h3-datagrams is for --method CONNECT-UDP over --proxy-version h3");
        }
        if (!direct) {
            if (proxyUrl == null) {
                throw new UsageException("--proxy URL is required (or --direct to connect straight to the target)");
            }
            parseProxyUrl();
            boolean tlsOptions = proxyInsecure || proxyCacert != null || proxyCert != null || proxyKey != null;
            if (!proxyTls && proxyVersion.equals("h3")) {
                throw new UsageException("--proxy-version h3 needs an https:// proxy (QUIC always runs TLS 1.3; there "
                        + "is no plain-text HTTP/3)");
            }
            if (!proxyTls && tlsOptions) {
                throw new UsageException("--proxy-insecure/--proxy-cacert/--proxy-cert/--proxy-key need an https:// proxy");
            }
            if (proxyInsecure && proxyCacert != null) {
                throw new UsageException("--proxy-insecure and --proxy-cacert exclude each other");
            }
            if ((proxyCert == null) != (proxyKey == null)) {
                throw new UsageException("--proxy-cert and --proxy-key go together");
            }
        }
        boolean tcpTls = direct ? directTls : proxyTls && !proxyVersion.equals("h3");
        if (clientTlsGiven && !tcpTls) {
            throw new UsageException("--client-tls is for TLS over TCP: an https:// proxy with h1 or h2, or "
                    + "--direct-tls (h3's TLS is BoringSSL inside QUIC)");
        }
        if (tlsResume && !tcpTls && !(proxyTls && proxyVersion.equals("h3"))) {
            throw new UsageException("--tls-resume is for TLS: an https:// proxy, or --direct-tls");
        }
        if (bytes > 0 && workload != Workload.BULK) {
            throw new UsageException("--bytes is for --workload bulk");
        }
        if (!warmup.isZero() && workload == Workload.IDLE) {
            throw new UsageException("--warmup is for bulk, setup and rps (idle measures from the first tunnel)");
        }
        if (requestSize < 1) {
            throw new UsageException("--request-size must be at least 1");
        }
        if (!direct && method.equals("CONNECT-UDP")) {
            MasqueUriTemplate t = udpTemplate();
            udpAuthority = t.authority();
            udpPath = udpPath(t);
        }
    }

    /** CONNECT-UDP: the proxy's URI template (the default one for the proxy unless --uri-template). */
    MasqueUriTemplate udpTemplate() throws UsageException {
        try {
            return uriTemplate == null ? MasqueUriTemplate.defaultFor(proxyHost, proxyPort)
                    : MasqueUriTemplate.parse(uriTemplate);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--uri-template: " + e.getMessage());
        }
    }

    /** CONNECT-UDP: the request target for --target, expanded from the URI template (IPv6 colons as %3A). */
    private String udpPath(MasqueUriTemplate t) throws UsageException {
        UdpTarget target;
        try {
            target = new UdpTarget(targetHost, targetPort);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--target is not a valid CONNECT-UDP target: " + e.getMessage());
        }
        return t.expandPathAndQuery(target);
    }

    private void parseProxyUrl() throws UsageException {
        URI u;
        try {
            u = new URI(proxyUrl);
        } catch (URISyntaxException e) {
            throw new UsageException("--proxy must be a URL like https://127.0.0.1:7443, not '" + proxyUrl + "'");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new UsageException("--proxy must start with https:// or http://, not '" + proxyUrl + "'");
        }
        if (u.getHost() == null || (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/"))
                || u.getQuery() != null || u.getUserInfo() != null) {
            throw new UsageException("--proxy must be scheme://HOST:PORT (credentials go in --proxy-user), not '"
                    + proxyUrl + "'");
        }
        proxyTls = scheme.equals("https");
        String h = u.getHost();
        proxyHost = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        proxyPort = u.getPort() > 0 ? u.getPort() : (proxyTls ? 443 : 80);
    }

    private static Path existingFile(String name, String v) throws UsageException {
        Path p = Path.of(v);
        if (!Files.isReadable(p) || Files.isDirectory(p)) {
            throw new UsageException(name + ": cannot read file '" + v + "'");
        }
        return p;
    }

    static long positive(String name, String v, long max) throws UsageException {
        try {
            long n = Long.parseLong(v.trim());
            if (n < 1 || n > max) {
                throw new UsageException(name + " must be between 1 and " + max + ", not " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a whole number, not '" + v + "'");
        }
    }

    /** 123, 64k, 10M, 2g (powers of 1024); "inf"/"unlimited" gives -1. */
    static long size(String name, String v, long max) throws UsageException {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.equals("inf") || s.equals("unlimited")) {
            if (max != Long.MAX_VALUE) {
                throw new UsageException(name + " cannot be unlimited");
            }
            return -1;
        }
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        long mult = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> mult = 1L << 10;
                case 'm' -> mult = 1L << 20;
                case 'g' -> mult = 1L << 30;
                case 't' -> mult = 1L << 40;
                default -> mult = 1;
            }
        }
        if (mult > 1) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            long n = Long.parseLong(s);
            if (n < 0 || n > max / mult) {
                throw new UsageException(name + " is out of range: " + v);
            }
            long r = n * mult;
            if (r < 1) {
                throw new UsageException(name + " must be at least 1 byte");
            }
            return r;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a size like 4096, 64k, 10M or 1G, not '" + v + "'");
        }
    }

    /** 500ms, 10s, 2m, 1h; a bare number is seconds. */
    static Duration duration(String name, String v) throws UsageException {
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (s.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            } else if (s.endsWith("s")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
            } else if (s.endsWith("m")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 60_000));
            } else if (s.endsWith("h")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 3_600_000));
            } else {
                d = Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
            }
            if (d.isNegative() || d.isZero()) {
                throw new UsageException(name + " must be more than zero, not '" + v + "'");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a duration like 500ms, 10s or 2m, not '" + v + "'");
        }
    }

    /** What the run was asked to do, for the reports. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workload", workload.name().toLowerCase(Locale.ROOT));
        m.put("direct", direct);
        if (directTls) {
            m.put("directTls", true);
        }
        if (!direct) {
            m.put("proxy", proxyUrl);
            m.put("proxyVersion", proxyVersion);
            m.put("proxyInsecure", proxyInsecure);
            m.put("proxyCacert", proxyCacert == null ? null : proxyCacert.toString());
            m.put("proxyCert", proxyCert == null ? null : proxyCert.toString());
            m.put("proxyUser", proxyUser == null ? null : proxyUser.substring(0, proxyUser.indexOf(':')) + ":***");
            List<String> names = new ArrayList<>();
            proxyHeaders.forEach(h -> names.add(h[0]));
            m.put("proxyHeaders", names);
            if (proxyVersion.equals("h2")) {
                m.put("h2Connections", h2Connections);
            }
            if (proxyVersion.equals("h3")) {
                m.put("h3Connections", h3Connections);
                if (method.equals("CONNECT-UDP")) {
                    m.put("h3Datagrams", h3Datagrams);
                }
            }
        }
        m.put("target", HostPort.format(targetHost, targetPort));
        m.put("method", method);
        if (method.equals("CONNECT-UDP") && !direct && uriTemplate != null) {
            m.put("uriTemplate", uriTemplate);
        }
        m.put("tunnels", tunnels);
        m.put("durationMs", duration.toMillis());
        m.put("warmupMs", warmup.toMillis());
        m.put("jitSettle", jitSettle);
        m.put("count", count < 0 ? null : count);
        if (workload == Workload.BULK) {
            m.put("bytesPerTunnel", bytes < 0 ? null : bytes);
        }
        if (direct ? directTls : proxyTls && !proxyVersion.equals("h3")) {
            m.put("clientTls", clientTls);
            m.put("tlsResume", tlsResume);
        } else if (!direct && proxyVersion.equals("h3")) {
            m.put("tlsResume", tlsResume);
        }
        if (!tcpNoDelay) {
            m.put("tcpNoDelay", false);
        }
        if (workload == Workload.RPS || workload == Workload.FIRSTBYTE) {
            m.put("requestSize", requestSize);
            m.put("responseSize", responseSize);
        }
        if (workload == Workload.UDP) {
            m.put("size", size);
            m.put("window", window);
            m.put("lossTimeoutMs", lossTimeout.toMillis());
        }
        if (workload == Workload.IDLE || !pids.isEmpty()) {
            m.put("pids", new ArrayList<>(pids));
        }
        if (workload == Workload.IDLE) {
            m.put("concurrency", concurrency);
        }
        m.put("timeoutMs", timeout.toMillis());
        m.put("threads", threads);
        return m;
    }
}
