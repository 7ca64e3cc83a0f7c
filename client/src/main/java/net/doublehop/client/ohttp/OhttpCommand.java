package net.doublehop.client.ohttp;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import net.doublehop.protocol.bhttp.BinaryHttp;
import net.doublehop.protocol.bhttp.BinaryHttpException;
import net.doublehop.protocol.bhttp.BinaryHttpRequest;
import net.doublehop.protocol.bhttp.BinaryHttpResponse;
import net.doublehop.protocol.bhttp.Field;
import net.doublehop.protocol.ohttp.ClientExchange;
import net.doublehop.protocol.ohttp.KeyConfig;
import net.doublehop.protocol.ohttp.ObliviousClient;
import net.doublehop.protocol.ohttp.OhttpException;
import net.doublehop.protocol.ohttp.OhttpMediaTypes;
import net.doublehop.protocol.ohttp.RequestDate;

/**
 * {@code java -jar client.jar ohttp}: an Oblivious HTTP client (RFC 9458). Fetches the gateway's key
 * configurations, encapsulates one request, posts it to the relay and prints the decrypted answer.
 */
public final class OhttpCommand {

    static final String USAGE = """
            Usage: java -jar client.jar ohttp --relay URL --keys URL [options] METHOD TARGET-URL

            Sends one HTTP request through Oblivious HTTP (RFC 9458): fetches the gateway's key configurations
            from --keys (application/ohttp-keys), encrypts the request as binary HTTP (RFC 9292) for the first
            configuration, posts it to the relay (--relay), which passes it to its gateway without seeing it,
            and prints the decrypted response's content (with -i: its status line and fields first).
            The relay sees your address but not the request; the gateway and the target see the request but
            only the relay's address.

            Options:
              --relay URL       the Oblivious Relay Resource (e.g. https://127.0.0.1:8444/relay/demo)
              --keys URL        the gateway's key configurations (e.g. https://127.0.0.1:7445/ohttp-keys)
              --cacert FILE     PEM CA certificate(s) for the relay's and the keys URL's certificates
                                (default: Java's trust store)
              -H 'Name: value'  a request header field (repeatable)
              -d DATA           request content (a literal string; '@FILE' reads a file)
              -i                print the response's status line and fields before its content
              --no-date         send no Date field of the client's own (by default the request carries
                                one, or the one given with -H, as RFC 9458 section 6.5.1 asks, for
                                gateways that check it against replays; when the gateway finds it
                                outside its window and answers with its own Date, the request is
                                encrypted afresh and sent once more with that Date)
              --help            show this help

            Example (after scripts/run.sh):
              java -jar client/target/client.jar ohttp --cacert run/dev/ca.crt \\
                  --relay https://127.0.0.1:8444/relay/demo --keys https://127.0.0.1:7445/ohttp-keys \\
                  GET http://127.0.0.1:8080/

            Exit codes: 0 a decrypted response (of any status), 1 the relay or gateway refused or failed
            (a plain error: printed to stderr), 2 bad usage.
            """;

    record Options(URI relay, URI keys, Path cacert, List<Field> headers, byte[] content, boolean include,
            boolean date, String method, URI target) { }

    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String m) {
            super(m);
        }
    }

    private OhttpCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args, out);
            if (o == null) {
                return 0;
            }
        } catch (UsageException e) {
            err.println("ohttp: " + e.getMessage() + "\n");
            err.print(USAGE);
            return 2;
        }
        try {
            HttpClient http = HttpClient.newBuilder().sslContext(sslContext(o.cacert()))
                    .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<byte[]> keys = http.send(HttpRequest.newBuilder(o.keys()).timeout(Duration.ofSeconds(30))
                    .header("accept", OhttpMediaTypes.KEYS).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (keys.statusCode() != 200) {
                err.println("ohttp: the keys URL answered " + keys.statusCode());
                return 1;
            }
            KeyConfig config = KeyConfig.decodeList(keys.body()).stream()
                    .filter(c -> !c.supportedAlgorithms().isEmpty()).findFirst()
                    .orElseThrow(() -> new OhttpException(OhttpException.Reason.UNSUPPORTED_ALGORITHM,
                            "no key configuration with an algorithm this client supports"));
            // a Date field given with -H goes first; without one, the client's clock
            String date = !o.date() ? null : o.headers().stream().filter(f -> f.name().equals("date"))
                    .map(Field::value).findFirst().orElseGet(() -> RequestDate.format(Instant.now()));
            BinaryHttpResponse response = send(http, o, config, date);
            if (date != null && dateRefused(response)) {
                // RFC 9458 section 6.5.2: once, with the gateway's Date, in a fresh encapsulation (a new HPKE
                // context); the gateway's Date serves this retry and nothing else
                response = send(http, o, config, response.header("date").get(0));
            }
            if (o.include()) {
                for (BinaryHttpResponse.Informational info : response.informational()) {
                    out.println(info.status());
                    info.headers().forEach(f -> out.println(f.name() + ": " + f.value()));
                }
                out.println(response.status());
                response.headers().forEach(f -> out.println(f.name() + ": " + f.value()));
                out.println();
            }
            out.write(response.content());
            out.flush();
            return 0;
        } catch (OhttpException | BinaryHttpException | NotEncapsulated e) {
            err.println("ohttp: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("ohttp: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (UsageException e) {
            err.println("ohttp: " + e.getMessage());
            return 2;
        }
    }

    /** The relay answered with something other than an Encapsulated Response (a refusal of its own or the gateway's). */
    private static final class NotEncapsulated extends IOException {
        private static final long serialVersionUID = 1L;

        NotEncapsulated(String m) {
            super(m);
        }
    }

    /** Encapsulates the request for {@code config}, posts it to the relay and opens the answer. */
    private static BinaryHttpResponse send(HttpClient http, Options o, KeyConfig config, String date)
            throws IOException, InterruptedException, OhttpException, BinaryHttpException {
        ClientExchange exchange = ObliviousClient.encapsulate(config, BinaryHttp.encode(request(o, date)));
        HttpResponse<byte[]> relayed = http.send(HttpRequest.newBuilder(o.relay()).timeout(Duration.ofSeconds(60))
                .header("content-type", OhttpMediaTypes.REQUEST)
                .POST(HttpRequest.BodyPublishers.ofByteArray(exchange.encapsulatedRequest())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (relayed.statusCode() != 200
                || !OhttpMediaTypes.is(relayed.headers().firstValue("content-type").orElse(null),
                        OhttpMediaTypes.RESPONSE)) {
            throw new NotEncapsulated("not an encapsulated response: " + relayed.statusCode() + " "
                    + relayed.headers().firstValue("proxy-status").orElse("") + " "
                    + new String(relayed.body(), 0, Math.min(300, relayed.body().length), StandardCharsets.UTF_8)
                            .replaceAll("\\p{Cntrl}", " "));
        }
        return BinaryHttp.decodeResponse(exchange.decapsulateResponse(relayed.body()));
    }

    /**
     * The binary HTTP request: control data from the target URL, Host left to :authority (RFC 9113 §8.3.1),
     * and {@code date} in place of any Date field given with -H (null: the fields as given).
     */
    static BinaryHttpRequest request(Options o, String date) {
        URI t = o.target();
        String path = (t.getRawPath() == null || t.getRawPath().isEmpty() ? "/" : t.getRawPath())
                + (t.getRawQuery() == null ? "" : "?" + t.getRawQuery());
        List<Field> fields = new ArrayList<>(o.headers());
        if (date != null) {
            fields.removeIf(f -> f.name().equals("date"));
            fields.add(new Field("date", date));
        }
        return new BinaryHttpRequest(o.method(), t.getScheme().toLowerCase(Locale.ROOT), t.getRawAuthority(), path,
                fields, o.content(), List.of());
    }

    /** The gateway's RFC 9458 §6.5.2 refusal of the request's Date, with a Date of its own to retry with. */
    static boolean dateRefused(BinaryHttpResponse response) {
        return response.status() == 400 && response.header("date").size() == 1
                && response.header("content-type").stream().anyMatch(v -> v.startsWith(OhttpMediaTypes.PROBLEM_JSON))
                && new String(response.content(), StandardCharsets.UTF_8).contains(OhttpMediaTypes.DATE_PROBLEM_TYPE);
    }

    static Options parse(String[] args, PrintStream out) throws UsageException {
        URI relay = null;
        URI keys = null;
        Path cacert = null;
        List<Field> headers = new ArrayList<>();
        byte[] content = new byte[0];
        boolean include = false;
        boolean date = true;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return null;
                }
                case "-i" -> include = true;
                case "--no-date" -> date = false;
                case "--relay", "--keys", "--cacert", "-H", "-d" -> {
                    if (i + 1 >= args.length) {
                        throw new UsageException(a + " needs a value");
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--relay" -> relay = url(a, v);
                        case "--keys" -> keys = url(a, v);
                        case "--cacert" -> {
                            cacert = Path.of(v);
                            if (!Files.isReadable(cacert)) {
                                throw new UsageException("--cacert: cannot read " + v);
                            }
                        }
                        case "-H" -> {
                            int colon = v.indexOf(':');
                            if (colon <= 0) {
                                throw new UsageException("-H expects 'Name: value'");
                            }
                            headers.add(new Field(v.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                                    v.substring(colon + 1).strip()));
                        }
                        default -> content = data(v);
                    }
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        throw new UsageException("unknown option " + a);
                    }
                    positional.add(a);
                }
            }
        }
        if (relay == null || keys == null) {
            throw new UsageException("--relay and --keys are required");
        }
        if (positional.size() != 2) {
            throw new UsageException("expected METHOD and TARGET-URL");
        }
        String method = positional.get(0).toUpperCase(Locale.ROOT);
        if (!method.matches("[A-Z]+")) {
            throw new UsageException("METHOD must be letters, e.g. GET");
        }
        URI target = url("TARGET-URL", positional.get(1));
        return new Options(relay, keys, cacert, List.copyOf(headers), content, include, date, method, target);
    }

    private static URI url(String what, String v) throws UsageException {
        try {
            URI u = new URI(v);
            if (u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https"))
                    || u.getRawAuthority() == null) {
                throw new UsageException(what + " must be an http:// or https:// URL: " + v);
            }
            return u;
        } catch (URISyntaxException e) {
            throw new UsageException(what + " is not a URL: " + v);
        }
    }

    private static byte[] data(String v) throws UsageException {
        if (!v.startsWith("@")) {
            return v.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Files.readAllBytes(Path.of(v.substring(1)));
        } catch (IOException e) {
            throw new UsageException("-d: cannot read " + v.substring(1));
        }
    }

    private static SSLContext sslContext(Path cacert) throws UsageException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (cacert == null) {
                ctx.init(null, null, new SecureRandom());
                return ctx;
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int n = 0;
            try (var in = Files.newInputStream(cacert)) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("ca-" + n++, c);
                }
            }
            if (n == 0) {
                throw new UsageException("--cacert: no PEM certificate in " + cacert);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new UsageException("TLS setup failed: " + e.getMessage());
        }
    }
}
