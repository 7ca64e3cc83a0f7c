package net.doublehop.proxya.ohttp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import net.doublehop.protocol.bhttp.BinaryHttp;
import net.doublehop.protocol.bhttp.BinaryHttpRequest;
import net.doublehop.protocol.ohttp.ClientExchange;
import net.doublehop.protocol.ohttp.KeyConfig;
import net.doublehop.protocol.ohttp.ObliviousClient;
import net.doublehop.protocol.ohttp.OhttpMediaTypes;

/**
 * Requests per second of small GETs with N concurrent clients, straight to a destination and through an
 * Oblivious HTTP relay and gateway, in one run (scripts/bench-ohttp.sh). Each client sends its next request
 * when the last one is answered, on a keep-alive HTTP/1.1 connection of its own; through OHTTP every request
 * is encapsulated and every answer decrypted and checked (status 200). Rounds alternate direct and OHTTP.
 * The client's two X25519 operations per request are done before each OHTTP round, on every core, so the
 * generator's own HPKE cost does not cap what is measured (each request still has its own encapsulation).
 */
public final class OhttpBench {

    private OhttpBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: OhttpBench RELAY-URL KEYS-URL TARGET-URL CA-FILE [clients=64] [seconds=15] "
                    + "[rounds=2]");
            System.exit(2);
        }
        URI relay = URI.create(args[0]);
        URI keys = URI.create(args[1]);
        URI target = URI.create(args[2]);
        String ca = args[3];
        int clients = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        int seconds = args.length > 5 ? Integer.parseInt(args[5]) : 15;
        int rounds = args.length > 6 ? Integer.parseInt(args[6]) : 2;
        Vertx vertx = Vertx.vertx();
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(clients);
        HttpClientAgent plain = vertx.httpClientBuilder().with(new HttpClientOptions().setKeepAlive(true)).with(pool)
                .build();
        HttpClientAgent tls = vertx.httpClientBuilder().with(new HttpClientOptions().setKeepAlive(true).setSsl(true)
                .setTrustOptions(new PemTrustOptions().addCertPath(ca))).with(pool).build();
        Buffer keyBytes = tls.request(HttpMethod.GET, port(keys), keys.getHost(), keys.getRawPath())
                .compose(r -> r.send()).compose(r -> r.body()).await(10, TimeUnit.SECONDS);
        KeyConfig config = KeyConfig.decodeList(keyBytes.getBytes()).get(0);
        byte[] inner = BinaryHttp.encode(BinaryHttpRequest.of("GET", target.getScheme(), target.getRawAuthority(),
                target.getRawPath().isEmpty() ? "/" : target.getRawPath(), List.of()));

        Supplier<Future<Boolean>> direct = () -> plain.request(new RequestOptions().setMethod(HttpMethod.GET)
                        .setHost(target.getHost()).setPort(port(target)).setURI(target.getRawPath()))
                .compose(r -> r.send()).compose(r -> r.body().map(b -> r.statusCode() == 200));
        java.util.concurrent.ConcurrentLinkedQueue<ClientExchange> ready = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Supplier<Future<Boolean>> ohttp = () -> {
            ClientExchange exchange = ready.poll();
            try {
                if (exchange == null) {
                    exchange = ObliviousClient.encapsulate(config, inner);
                }
            } catch (Exception e) {
                return Future.failedFuture(e);
            }
            ClientExchange ex = exchange;
            return tls.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(relay.getHost())
                            .setPort(port(relay)).setURI(relay.getRawPath())
                            .putHeader("content-type", OhttpMediaTypes.REQUEST))
                    .compose(r -> r.send(Buffer.buffer(ex.encapsulatedRequest())))
                    .compose(r -> r.body().map(b -> {
                        try {
                            return r.statusCode() == 200 && BinaryHttp.decodeResponse(
                                    ex.decapsulateResponse(b.getBytes())).status() == 200;
                        } catch (Exception e) {
                            return false;
                        }
                    }));
        };
        System.out.printf("%d clients, %d s per round after 5 s warm-up; small GET %s%n", clients, seconds, target);
        run("warm-up direct", direct, clients, 5, true);
        prepare(ready, config, inner, 5 * 2000);
        run("warm-up ohttp", ohttp, clients, 5, true);
        for (int i = 1; i <= rounds; i++) {
            run("round " + i + " direct          ", direct, clients, seconds, false);
            prepare(ready, config, inner, seconds * 4000);
            run("round " + i + " relay + gateway ", ohttp, clients, seconds, false);
        }
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    /** Fills {@code ready} with {@code n} fresh encapsulations, on all cores. */
    private static void prepare(java.util.Queue<ClientExchange> ready, KeyConfig config, byte[] inner, int n) {
        ready.clear();
        java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
            try {
                ready.add(ObliviousClient.encapsulate(config, inner));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : u.getScheme().equals("https") ? 443 : 80;
    }

    private static void run(String name, Supplier<Future<Boolean>> request, int clients, int seconds, boolean quiet)
            throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[][] latencies = new long[clients][];
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            long[] lat = new long[1 << 20];
            latencies[c] = lat;
            int[] n = {0};
            loop(request, end, ok, failed, lat, n, done);
        }
        done.await();
        if (quiet) {
            return;
        }
        long total = 0;
        for (long[] l : latencies) {
            for (long v : l) {
                if (v > 0) {
                    total++;
                }
            }
        }
        long[] all = new long[(int) total];
        int k = 0;
        for (long[] l : latencies) {
            for (long v : l) {
                if (v > 0) {
                    all[k++] = v;
                }
            }
        }
        Arrays.sort(all);
        System.out.printf("%s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  (%d ok, %d failed)%n", name,
                ok.get() / (double) seconds, all.length == 0 ? 0 : all[all.length / 2] / 1e6,
                all.length == 0 ? 0 : all[(int) (all.length * 0.99)] / 1e6, ok.get(), failed.get());
    }

    private static void loop(Supplier<Future<Boolean>> request, long end, AtomicLong ok, AtomicLong failed, long[] lat,
            int[] n, java.util.concurrent.CountDownLatch done) {
        if (System.nanoTime() >= end) {
            done.countDown();
            return;
        }
        long start = System.nanoTime();
        request.get().onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                ok.incrementAndGet();
                if (n[0] < lat.length) {
                    lat[n[0]++] = System.nanoTime() - start;
                }
            } else {
                failed.incrementAndGet();
            }
            loop(request, end, ok, failed, lat, n, done);
        });
    }
}
